/** The model input buffer: written by the host through a write port before `enable`, read by the first layers. */
import type { LayerNode } from '../../ir/types.js';
import { addressBits, layerHeader, LIBRARIES, ramStyle } from '../_shared/vhdl.js';

export function emitInputBuffer(node: LayerNode): string {
  const depth = node.output.elements;
  const aw = addressBits(depth);
  const bits = node.output.bits;
  return `${layerHeader(node, ['written by the host (wr_*), read by the first layers (y_*), one cycle read latency'])}${LIBRARIES}
entity ${node.name} is
  port (
    clk     : in  std_logic;
    wr_en   : in  std_logic;
    wr_addr : in  unsigned(${aw - 1} downto 0);
    wr_data : in  signed(${bits - 1} downto 0);
    y_addr  : in  unsigned(${aw - 1} downto 0);
    y_data  : out signed(${bits - 1} downto 0) := (others => '0')
  );
end entity ${node.name};

architecture rtl of ${node.name} is
  type mem_t is array (${depth - 1} downto 0) of signed(${bits - 1} downto 0);
  signal mem : mem_t := (others => (others => '0'));
  attribute ram_style : string;
  attribute ram_style of mem : signal is "${ramStyle(node.buffer!.storage)}";
begin
  process (clk)
  begin
    if rising_edge(clk) then
      if wr_en = '1' then
        mem(to_integer(wr_addr)) <= wr_data;
      end if;
      y_data <= mem(to_integer(y_addr));
    end if;
  end process;
end architecture rtl;
`;
}
