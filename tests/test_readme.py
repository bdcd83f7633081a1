"""The README's Python example runs and returns what its comments say."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_example_matches_the_code():
    block = re.search(r"```python\n(.*?)```", README.read_text(), re.S).group(1)
    namespace: dict = {}
    checked = 0
    for line in block.splitlines():
        code, _, comment = line.partition("#")
        if not code.strip():
            continue
        if "=" in code.split("(")[0] or code.startswith(("from ", "import ")):
            exec(code, namespace)  # an assignment or import
            continue
        value = eval(code, namespace)  # an expression: its comment says what it gives
        shown = re.match(r"\s*(<Quantity\([^>]*\)>)", comment)
        if shown:
            assert repr(value) == shown.group(1)
            checked += 1
        elif "one row per scenario" in comment:
            assert len(value) == 2 and any(c.startswith("facility_power_peak [") for c in value.columns)
            checked += 1
        elif "every factor used" in comment:
            assert value and all(hasattr(value[0], k) for k in ("quantity", "source", "file", "licence", "status"))
            checked += 1
        elif "claims" in comment:
            assert value, "colossus.yaml has published claims"
            checked += 1
    assert checked == 4
