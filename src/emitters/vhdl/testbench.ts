/**
 * Self-checking testbenches. Each loads its input vectors and expected outputs from files (one integer per
 * line, '#' comments), runs the design once, prints `KILN_CYCLES n` (rising edges from enable to done),
 * compares every output and prints `KILN_MISMATCH index i expected e got g` for the first MAX_REPORTED
 * mismatches. Any mismatch, a timeout or a short vector file ends the run with `severity failure`; a clean
 * run prints `KILN_RESULT PASS`.
 */
import { intRange } from '../../arith/index.js';
import type { LayerNode, ResolvedDesign } from '../../ir/types.js';
import { addressBits, header, LIBRARIES } from '../../engines/_shared/vhdl.js';

const LOADER = `  type int_array is array (natural range <>) of integer;

  impure function load(path : string; n : natural) return int_array is
    file f : text open read_mode is path;
    variable l : line;
    variable v : integer;
    variable good : boolean;
    variable r : int_array(0 to n - 1) := (others => 0);
    variable i : natural := 0;
  begin
    while not endfile(f) and i < n loop
      readline(f, l);
      if l'length > 0 and l(l'low) /= '#' then
        read(l, v, good);
        assert good report "vector file " & path & ": line " & integer'image(i) & " is not an integer" severity failure;
        r(i) := v;
        i := i + 1;
      end if;
    end loop;
    assert i = n report "vector file " & path & ": expected " & integer'image(n) & " values, found " & integer'image(i) severity failure;
    return r;
  end function;
`;

/** Reads `outputs` values through the read port and counts those that differ from EXPECTED(base + i). */
const COMPARE = (outputs: number, addrPort: string, dataPort: string, base: string, indent = '    ') =>
  `for i in 0 to ${outputs} - 1 loop
  ${addrPort} <= to_unsigned(i, ${addrPort}'length);
  wait until falling_edge(clk);
  if to_integer(${dataPort}) /= EXPECTED(${base} + i) then
    mismatches := mismatches + 1;
    if mismatches <= MAX_REPORTED then
      report "KILN_MISMATCH index " & integer'image(${base} + i) & " expected " & integer'image(EXPECTED(${base} + i)) & " got " & integer'image(to_integer(${dataPort}));
    end if;
  end if;
end loop;`
    .split('\n')
    .map((l) => indent + l)
    .join('\n') + '\n';

/** The verdict over `total` compared outputs, and the end of the simulation. */
const VERDICT = (total: number, what: string) => `    if mismatches > 0 then
      report "KILN_RESULT FAIL " & integer'image(mismatches) & " of ${total} outputs differ" severity failure;
    end if;
    report "KILN_RESULT PASS ${total} outputs${what}";
    running <= false;
    wait;
`;

/** Raises enable and counts the rising edges until done (printed as KILN_CYCLES). */
const RUN = (timeout: number, indent = '    ') =>
  `-- run once and count the rising edges from enable to done
wait until falling_edge(clk);
enable <= '1';
cycles := 0;
loop
  wait until falling_edge(clk);
  cycles := cycles + 1;
  exit when done = '1';
  if cycles > ${timeout} then
    report "KILN_TIMEOUT no done after " & integer'image(cycles) & " cycles" severity failure;
  end if;
end loop;
report "KILN_CYCLES " & integer'image(cycles);`
    .split('\n')
    .map((l) => indent + l)
    .join('\n') + '\n';

/** How a layer's testbench drives it: runs 0..recorded-1 replay real activations, the last run is full-range random. */
export interface LayerRuns {
  /** Runs whose inputs were recorded from the model's test windows. */
  readonly recorded: number;
  /** All runs (recorded, then one full-range random). */
  readonly total: number;
}

/**
 * Testbench of one layer: its input ports are served by clocked memories loaded from vector files, one block of
 * vectors per run. After comparing every output of every run, it checks that its test says something: when most
 * expected outputs of the recorded runs sit at a bound of the output width (other than the representation of 0,
 * where a ReLU puts its zeros), the layer saturates on real data, so equal outputs prove little; it fails with
 * `KILN_SATURATED` (after any mismatches were reported).
 */
export function emitLayerTestbench(node: LayerNode, expectedCycles: number, runs: LayerRuns, outputZeroPoint: number): string {
  const tb = `${node.name}_tb`;
  const outs = node.output.elements;
  const L: string[] = [];
  L.push(
    header(`Self-checking testbench of layer '${node.path}'`, [
      `${runs.total} run${runs.total === 1 ? '' : 's'}: ${runs.recorded} with activations recorded from test windows, then one with full-range random inputs`,
      `each run expects ${expectedCycles} cycles and ${outs} outputs`,
    ]),
  );
  L.push(LIBRARIES + 'use std.textio.all;\n');
  L.push(`entity ${tb} is`);
  L.push('  generic (');
  node.inputs.forEach((_, p) => L.push(`    X${p}_FILE : string := "${node.name}.x${p}.txt";`));
  L.push(`    Y_FILE : string := "${node.name}.y.txt";`);
  L.push('    MAX_REPORTED : natural := 10');
  L.push('  );');
  L.push(`end entity ${tb};`);
  L.push('');
  L.push(`architecture sim of ${tb} is`);
  L.push(LOADER);
  L.push(`  constant RUNS : positive := ${runs.total};`);
  L.push(`  constant RECORDED : natural := ${runs.recorded};  -- runs 0 .. RECORDED - 1 replay real activations`);
  node.inputs.forEach((inp, p) => L.push(`  constant X${p} : int_array := load(X${p}_FILE, RUNS * ${inp.elements});`));
  L.push(`  constant EXPECTED : int_array := load(Y_FILE, RUNS * ${outs});`);
  const { min, max } = intRange(node.output.bits);
  L.push(`  constant OUT_MIN : integer := ${min};`);
  L.push(`  constant OUT_MAX : integer := ${max};`);
  L.push(`  constant OUT_ZERO : integer := ${outputZeroPoint};  -- the output's representation of 0`);
  L.push("  signal clk : std_logic := '0';");
  L.push('  signal running : boolean := true;');
  L.push("  signal enable, done : std_logic := '0';");
  L.push('  signal run : natural := 0;');
  node.inputs.forEach((inp, p) => {
    L.push(`  signal x${p}_addr : unsigned(${addressBits(inp.elements) - 1} downto 0);`);
    L.push(`  signal x${p}_data : signed(${inp.bits - 1} downto 0) := (others => '0');`);
  });
  L.push(`  signal y_addr : unsigned(${addressBits(outs) - 1} downto 0) := (others => '0');`);
  L.push(`  signal y_data : signed(${node.output.bits - 1} downto 0);`);
  L.push('begin');
  L.push("  clk <= not clk after 5 ns when running else '0';");
  L.push('');
  L.push(`  dut : entity work.${node.name}`);
  L.push('    port map (');
  const ports = ['clk => clk', 'enable => enable', 'done => done'];
  node.inputs.forEach((_, p) => ports.push(`x${p}_addr => x${p}_addr`, `x${p}_data => x${p}_data`));
  ports.push('y_addr => y_addr', 'y_data => y_data');
  L.push(ports.map((p) => `      ${p}`).join(',\n'));
  L.push('    );');
  L.push('');
  node.inputs.forEach((inp, p) => {
    L.push(`  -- the producer '${inp.from}': a clocked read port over the current run's vectors`);
    L.push(`  x${p}_memory : process (clk)`);
    L.push('  begin');
    L.push('    if rising_edge(clk) then');
    L.push(`      x${p}_data <= to_signed(X${p}(run * ${inp.elements} + to_integer(x${p}_addr)), ${inp.bits});`);
    L.push('    end if;');
    L.push('  end process;');
  });
  L.push('');
  L.push('  stimulus : process');
  L.push('    variable cycles : natural := 0;');
  L.push('    variable mismatches : natural := 0;');
  L.push('    variable saturated : natural := 0;');
  L.push('  begin');
  L.push('    for r in 0 to RUNS - 1 loop');
  L.push('      run <= r;');
  L.push(RUN(2 * expectedCycles + 100, '      '));
  L.push('      -- compare every output of this run');
  L.push(COMPARE(outs, 'y_addr', 'y_data', `r * ${outs}`, '      '));
  L.push("      enable <= '0';  -- resets the controller for the next run");
  L.push('      wait until falling_edge(clk);');
  L.push('    end loop;');
  L.push(`    if mismatches > 0 then`);
  L.push(`      report "KILN_RESULT FAIL " & integer'image(mismatches) & " of ${runs.total * outs} outputs differ" severity failure;`);
  L.push('    end if;');
  L.push('    -- sanity: equal outputs prove little when the recorded runs mostly saturate');
  L.push(`    for i in 0 to RECORDED * ${outs} - 1 loop`);
  L.push('      if (EXPECTED(i) = OUT_MIN or EXPECTED(i) = OUT_MAX) and EXPECTED(i) /= OUT_ZERO then');
  L.push('        saturated := saturated + 1;');
  L.push('      end if;');
  L.push('    end loop;');
  L.push(`    if 2 * saturated > RECORDED * ${outs} then`);
  L.push(`      report "KILN_SATURATED " & integer'image(saturated) & " of " & integer'image(RECORDED * ${outs}) & " expected outputs of the recorded runs sit at the bounds of the ${node.output.bits}-bit output" severity failure;`);
  L.push('    end if;');
  L.push(VERDICT(runs.total * outs, ` of ${runs.total} run${runs.total === 1 ? '' : 's'}`));
  L.push('  end process;');
  L.push('end architecture sim;');
  return L.join('\n') + '\n';
}

/**
 * Testbench of the whole model: for each of its input windows, writes the window through the host port, runs one
 * inference (every one must take the expected cycles), reads the output and compares it; enable falls between
 * inferences, which resets the schedule.
 */
export function emitTopTestbench(design: ResolvedDesign, expectedCycles: number, windows: number): string {
  const input = design.layers[0]!;
  const output = design.layers.find((l) => l.path === design.output)!;
  const tb = `${design.name}_tb`;
  const inputs = input.output.elements;
  const outputs = output.output.elements;
  return `${header(`Self-checking testbench of the whole model '${design.name}'`, [`${windows} input window${windows === 1 ? '' : 's'}, each expecting ${expectedCycles} cycles and ${outputs} outputs`])}${LIBRARIES}use std.textio.all;

entity ${tb} is
  generic (
    X_FILE : string := "${design.name}.x.txt";
    Y_FILE : string := "${design.name}.y.txt";
    MAX_REPORTED : natural := 10
  );
end entity ${tb};

architecture sim of ${tb} is
${LOADER}
  constant WINDOWS : positive := ${windows};
  constant X : int_array := load(X_FILE, WINDOWS * ${inputs});
  constant EXPECTED : int_array := load(Y_FILE, WINDOWS * ${outputs});
  signal clk : std_logic := '0';
  signal running : boolean := true;
  signal enable, done, in_we : std_logic := '0';
  signal in_addr : unsigned(${addressBits(inputs) - 1} downto 0) := (others => '0');
  signal in_data : signed(${input.output.bits - 1} downto 0) := (others => '0');
  signal out_addr : unsigned(${addressBits(outputs) - 1} downto 0) := (others => '0');
  signal out_data : signed(${output.output.bits - 1} downto 0);
begin
  clk <= not clk after 5 ns when running else '0';

  dut : entity work.${design.name}
    port map (
      clk => clk, enable => enable, done => done,
      in_we => in_we, in_addr => in_addr, in_data => in_data,
      out_addr => out_addr, out_data => out_data
    );

  stimulus : process
    variable cycles : natural := 0;
    variable mismatches : natural := 0;
  begin
    for w in 0 to WINDOWS - 1 loop
      -- write input window w
      for i in 0 to ${inputs} - 1 loop
        wait until falling_edge(clk);
        in_we <= '1';
        in_addr <= to_unsigned(i, in_addr'length);
        in_data <= to_signed(X(w * ${inputs} + i), in_data'length);
      end loop;
      wait until falling_edge(clk);
      in_we <= '0';
${RUN(2 * expectedCycles + 1000, '      ')}      -- compare its outputs
${COMPARE(outputs, 'out_addr', 'out_data', `w * ${outputs}`, '      ')}      enable <= '0';  -- resets the schedule for the next window
    end loop;
${VERDICT(windows * outputs, ` of ${windows} window${windows === 1 ? '' : 's'}`)}  end process;
end architecture sim;
`;
}

/** A vector file: a comment line, then one integer per line. */
export function vectorFile(comment: string, values: ArrayLike<number>): string {
  return `# ${comment}\n${Array.from(values).join('\n')}\n`;
}
