/**
 * VHDL testbenches for the kiln_arith package (used by vhdl-package.test.ts). Not a test file itself.
 * Both are self-checking: a mismatch is an `assert … severity error`, which fails `ghdl -r --assert-level=error`.
 */
import { ARITH_PACKAGE_NAME } from '../../src/engines/_shared/arith-package.js';

/**
 * Source-level testbench: reads `pbits p_hi p_lo n zero_point bits expected` lines from the file named by the
 * generic G_VECTORS and checks requantize(p, n, zero_point, bits) = expected, with p held in an operand of
 * pbits bits whose index range is descending from pbits−1, descending with an offset, or ascending (rotating),
 * so the package's range normalisation is exercised. Starts with fixed checks of round_shift, saturate and
 * clamp_relu, and ends with the summary line "kiln_arith: N vectors, 0 mismatches".
 */
export const SOURCE_TB = `library ieee;
use ieee.std_logic_1164.all;
use ieee.numeric_std.all;
use std.textio.all;
use work.${ARITH_PACKAGE_NAME}.all;

entity tb_kiln_arith is
  generic (G_VECTORS : string := "vectors.txt");
end entity tb_kiln_arith;

architecture sim of tb_kiln_arith is
begin
  main : process
    file vectors : text;
    variable status : file_open_status;
    variable l : line;
    variable pbits, hi, lo, n, zp, bits, expected : integer;
    variable count : natural := 0;
    variable mismatches : natural := 0;
    variable r13 : signed(12 downto 0);
    variable s8 : signed(7 downto 0);

    procedure expect(got : integer; want : integer; what : string) is
    begin
      if got /= want then
        mismatches := mismatches + 1;
        report "kiln_arith mismatch: " & what & " = " & integer'image(got) & ", expected " & integer'image(want)
          severity error;
      end if;
    end procedure expect;

    procedure check_vector(full : signed(47 downto 0); style : natural) is
      variable pd : signed(pbits - 1 downto 0);
      variable po : signed(pbits + 4 downto 5);
      variable pa : signed(0 to pbits - 1);
      variable y : signed(bits - 1 downto 0);
    begin
      pd := full(pbits - 1 downto 0);
      assert resize(pd, 48) = full
        report "vector " & integer'image(count) & ": p does not fit " & integer'image(pbits) & " bits"
        severity failure;
      case style is
        when 0 => y := requantize(pd, n, zp, bits);
        when 1 => po := pd; y := requantize(po, n, zp, bits);
        when others => pa := pd; y := requantize(pa, n, zp, bits);
      end case;
      expect(to_integer(y), expected,
        "vector " & integer'image(count) & ": requantize(p = " & integer'image(hi) & "*2**24+" & integer'image(lo)
        & " (" & integer'image(pbits) & " bits), n = " & integer'image(n) & ", zero_point = " & integer'image(zp)
        & ", bits = " & integer'image(bits) & ")");
    end procedure check_vector;
  begin
    -- fixed cases (docs/arithmetic.md)
    r13 := round_shift(to_signed(-300, 12), 4);
    expect(to_integer(r13), -19, "round_shift(-300, 4)");
    r13 := round_shift(to_signed(40, 12), 4);
    expect(to_integer(r13), 3, "round_shift(40, 4) (2.5)");
    r13 := round_shift(to_signed(-40, 12), 4);
    expect(to_integer(r13), -2, "round_shift(-40, 4) (-2.5)");
    r13 := round_shift(to_signed(-2048, 12), 0);
    expect(to_integer(r13), -2048, "round_shift(-2048, 0)");
    r13 := round_shift(to_signed(2047, 12), 12);
    expect(to_integer(r13), 0, "round_shift(2047, 12)");
    r13 := round_shift(to_signed(2047, 12), 11);
    expect(to_integer(r13), 1, "round_shift(2047, 11)");
    r13 := round_shift(to_signed(-2048, 12), 11);
    expect(to_integer(r13), -1, "round_shift(-2048, 11)");
    r13 := round_shift(to_signed(-1024, 12), 11);
    expect(to_integer(r13), 0, "round_shift(-1024, 11) (-0.5)");
    s8 := saturate(to_signed(200, 16), 8);
    expect(to_integer(s8), 127, "saturate(200, 8)");
    s8 := saturate(to_signed(-200, 16), 8);
    expect(to_integer(s8), -128, "saturate(-200, 8)");
    s8 := saturate(to_signed(-3, 4), 8);
    expect(to_integer(s8), -3, "saturate(-3 (4 bits), 8)");
    s8 := saturate(to_signed(-128, 8), 8);
    expect(to_integer(s8), -128, "saturate(-128 (8 bits), 8)");
    s8 := clamp_relu(to_signed(-7, 8), -3);
    expect(to_integer(s8), -3, "clamp_relu(-7, -3)");
    s8 := clamp_relu(to_signed(5, 8), -3);
    expect(to_integer(s8), 5, "clamp_relu(5, -3)");
    s8 := requantize(to_signed(-99 * 16384, 24), 14, 0, 8);
    expect(to_integer(s8), -99, "requantize(-99 * 2**14, 14) (power-of-two m)");

    file_open(status, vectors, G_VECTORS, read_mode);
    assert status = open_ok report "kiln_arith: cannot open " & G_VECTORS severity failure;
    while not endfile(vectors) loop
      readline(vectors, l);
      if l'length = 0 then
        next;
      elsif l(l'left) = '#' then
        next;
      end if;
      read(l, pbits);
      read(l, hi);
      read(l, lo);
      read(l, n);
      read(l, zp);
      read(l, bits);
      read(l, expected);
      count := count + 1;
      check_vector(to_signed(hi, 24) & signed(to_unsigned(lo, 24)), count mod 3);
    end loop;
    file_close(vectors);

    report "kiln_arith: " & integer'image(count) & " vectors, " & integer'image(mismatches) & " mismatches";
    assert count > 0 report "kiln_arith: no vectors read from " & G_VECTORS severity error;
    assert mismatches = 0 report "kiln_arith: mismatches found" severity error;
    wait;
  end process main;
end architecture sim;
`;

/** A synthesizable wrapper: y = requantize(p, N, zp, BITS), relu = clamp_relu(p, zp). */
export const WRAPPER = `library ieee;
use ieee.std_logic_1164.all;
use ieee.numeric_std.all;
use work.${ARITH_PACKAGE_NAME}.all;

entity kiln_arith_rq is
  generic (P_BITS : positive := 16; N : natural := 0; BITS : positive := 8);
  port (
    p : in signed(P_BITS - 1 downto 0);
    zp : in integer range -2**16 to 2**16;
    y : out signed(BITS - 1 downto 0);
    relu : out signed(P_BITS - 1 downto 0)
  );
end entity kiln_arith_rq;

architecture rtl of kiln_arith_rq is
begin
  y <= requantize(p, N, zp, BITS);
  relu <= clamp_relu(p, zp);
end architecture rtl;
`;

/**
 * Netlist testbench: drives the (synthesized) kiln_arith_rq with `p_hi p_lo zero_point expected` lines and
 * checks y, and relu against max(p, zero_point). Generics must match the synthesized widths.
 */
export const NETLIST_TB = `library ieee;
use ieee.std_logic_1164.all;
use ieee.numeric_std.all;
use std.textio.all;

entity tb_kiln_arith_netlist is
  generic (G_VECTORS : string := "vectors.txt"; P_BITS : positive := 16; N : natural := 0; BITS : positive := 8);
end entity tb_kiln_arith_netlist;

architecture sim of tb_kiln_arith_netlist is
  signal p : signed(P_BITS - 1 downto 0) := (others => '0');
  signal zp : integer range -2**16 to 2**16 := 0;
  signal y : signed(BITS - 1 downto 0);
  signal relu : signed(P_BITS - 1 downto 0);
begin
  dut : entity work.kiln_arith_rq
    generic map (P_BITS => P_BITS, N => N, BITS => BITS)
    port map (p => p, zp => zp, y => y, relu => relu);

  main : process
    file vectors : text;
    variable status : file_open_status;
    variable l : line;
    variable hi, lo, zv, expected : integer;
    variable full : signed(47 downto 0);
    variable count : natural := 0;
  begin
    file_open(status, vectors, G_VECTORS, read_mode);
    assert status = open_ok report "kiln_arith netlist: cannot open " & G_VECTORS severity failure;
    while not endfile(vectors) loop
      readline(vectors, l);
      if l'length = 0 then
        next;
      elsif l(l'left) = '#' then
        next;
      end if;
      read(l, hi);
      read(l, lo);
      read(l, zv);
      read(l, expected);
      count := count + 1;
      full := to_signed(hi, 24) & signed(to_unsigned(lo, 24));
      p <= full(P_BITS - 1 downto 0);
      zp <= zv;
      wait for 1 ns;
      assert to_integer(y) = expected
        report "kiln_arith netlist mismatch at vector " & integer'image(count) & ": y = " & integer'image(to_integer(y))
          & ", expected " & integer'image(expected)
        severity error;
      if full(P_BITS - 1 downto 0) < to_signed(zv, P_BITS) then
        assert relu = to_signed(zv, P_BITS)
          report "kiln_arith netlist: clamp_relu mismatch at vector " & integer'image(count) severity error;
      else
        assert relu = full(P_BITS - 1 downto 0)
          report "kiln_arith netlist: clamp_relu mismatch at vector " & integer'image(count) severity error;
      end if;
    end loop;
    file_close(vectors);
    report "kiln_arith netlist: " & integer'image(count) & " vectors, 0 mismatches";
    assert count > 0 report "kiln_arith netlist: no vectors" severity error;
    wait;
  end process main;
end architecture sim;
`;
