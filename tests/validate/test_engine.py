"""The row engine types an amount into the cents a person reads, at every size.

Amounts of up to 14 characters take DuckDB's 64-bit decimals, longer ones its 128-bit
ones (``engine.Compiled._typed``); the cents are written here, by hand.
"""

from __future__ import annotations

import pandas as pd
import pytest

from oneitu_etl.contract import Kind
from oneitu_etl.reference import load_reference
from oneitu_etl.validate import engine
from oneitu_etl.validate.rows import Context


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        pytest.param("1.5", 150, id="one decimal"),
        pytest.param("-0.01", -1, id="a negative cent"),
        pytest.param("+12", 1200, id="a sign"),
        pytest.param("007.10", 710, id="leading zeros"),
        pytest.param("99999999999999", 9_999_999_999_999_900, id="14 characters"),
        pytest.param("-9999999999999.99", -999_999_999_999_999, id="17 characters, negative"),
        pytest.param("999999999999999", 99_999_999_999_999_900, id="15 digits"),
        pytest.param("9999999999999999.99", 999_999_999_999_999_999, id="18 digits of cents"),
        pytest.param("92233720368547758.07", 2**63 - 1, id="the largest 64-bit cents"),
        pytest.param("92233720368547758.08", None, id="beyond 64-bit cents"),
        pytest.param("1e5", None, id="scientific notation"),
        pytest.param("1.005", None, id="three decimals"),
    ],
)
def test_an_amount_is_typed_to_its_cents(text: str, cents: int | None) -> None:
    compiled = Context(load_reference(), 2024).compiled(Kind.LEDGER)
    names = [c.name for c in compiled.declaration.columns]
    row = {name: text if name == "amount_chf" else "" for name in names}
    cells = pd.DataFrame([row], index=pd.Index([2], name="row"))
    found = engine.run(compiled, cells, names)
    i = compiled.index["amount_chf"]
    value = found.at[2, f"c{i}"]
    assert (None if pd.isna(value) else int(value)) == cents
    assert bool(found.at[2, f"fmt{i}"]) is (cents is None)
