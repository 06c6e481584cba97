/**
 * ReLU on the read path: no buffer and no clock. Its consumer's read address passes through to the producer,
 * and the producer's (already clocked) data comes back as max(x, z_x), so the read latency stays one cycle.
 */
import type { LayerNode } from '../../ir/types.js';
import type { LayerQuantization } from '../types.js';
import { ARITH_PACKAGE_NAME } from '../_shared/arith-package.js';
import { addressBits, layerHeader, LIBRARIES } from '../_shared/vhdl.js';

export function emitReluLayer(node: LayerNode, q: LayerQuantization): string {
  const aw = addressBits(node.output.elements);
  const bits = node.output.bits;
  return `${layerHeader(node, [`y = max(x, ${q.inputs[0]!.zeroPoint}) (the input's zero point is real 0); applied on read, 0 cycles`])}${LIBRARIES}use work.${ARITH_PACKAGE_NAME}.all;

entity ${node.name} is
  port (
    x0_addr : out unsigned(${aw - 1} downto 0);  -- read port of '${node.inputs[0]!.from}'
    x0_data : in  signed(${bits - 1} downto 0);
    y_addr  : in  unsigned(${aw - 1} downto 0);
    y_data  : out signed(${bits - 1} downto 0)
  );
end entity ${node.name};

architecture rtl of ${node.name} is
  constant X0_ZERO : integer := ${q.inputs[0]!.zeroPoint};
begin
  x0_addr <= y_addr;
  y_data <= clamp_relu(x0_data, X0_ZERO);
end architecture rtl;
`;
}
