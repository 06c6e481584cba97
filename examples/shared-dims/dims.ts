/** Model dimensions shared by several configs (and, in a real project, by the training code). */
export const dims = {
  window: 24,
  inputFeatures: 7,
  dModel: 16,
  ffnDim: 32,
  encoderLayers: 2,
} as const;
