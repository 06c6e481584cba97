import { evaluateProject } from '../../build/index.js';
import { renderAccuracy, renderSqnr } from '../../emitters/report.js';
import { KilnError } from '../../dsl/diagnostics.js';
import { accuracyExit, COMMON_OPTIONS, CONFIG_HELP, configOptions, JSON_HELP, type Command } from './_shared.js';

export const evalCommand: Command = {
  summary: 'score the integer model against the float model and the persistence baseline on the test split',
  usage: 'kiln eval [--config PATH] [--config-timeout SECONDS] [--json]',
  details: `Reads the weights and the data the config names (weights.file, data), quantizes the model like kiln build
(calibrating on the training split) and scores it on the test split, which nothing was tuned on: RMSE and MAE of
the float model (kiln's float forward of the trained weights), of the integer model (what the hardware computes,
bit for bit) and of the persistence baseline (the target's last value in the window), in the model's normalised
units and in the data's own; and per layer the SQNR of the integer output against the float model's, with the
worst layer. Writes nothing.

Options:
${CONFIG_HELP}
${JSON_HELP} (the report, schema docs/report-schema.md, with its "accuracy")

Exit codes: 0 scored (and within accuracy.maxRmseIncrease when the config sets one), 1 the integer model loses
more accuracy than that budget, 2 configuration, usage or data error (including a config without data).`,
  options: { ...COMMON_OPTIONS },
  async run(values, io) {
    const result = await evaluateProject({ cwd: io.cwd, command: 'estimate', ...configOptions(values) });
    const accuracy = result.report.accuracy;
    if (!accuracy) {
      throw new KilnError([{ code: 'KILN_E_DATA', severity: 'error', path: ['data'], message: 'the config names no data to score the model on', hint: "add data: { csv: 'series.csv', features: [...], target: '...' } (README, 'Trained models and real data')" }]);
    }
    if (values.json) io.stdout(JSON.stringify(result.report, null, 2) + '\n');
    else io.stderr(renderSqnr(result.report) + '\n' + renderAccuracy(result.report));
    return accuracyExit(result.report, io);
  },
};
