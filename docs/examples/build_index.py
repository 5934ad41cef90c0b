"""Build a composite index from COINr-style CSV files and print the top five.

Run from the repository root:  python docs/examples/build_index.py
"""

from pathlib import Path

from hkfactor.engine import Index, asem_recipe

ref = Path(__file__).resolve().parents[2] / "tests" / "engine" / "reference" / "coinr-asem"
idx = Index.from_files(ref / "input_ASEM_iMeta.csv", ref / "input_ASEM_iData.csv", asem_recipe())
print(idx.results(tab="aggs").head(5).to_string(index=False))
alt = idx.what_if(aggregate={"method": "gmean"}, normalise={"method": "minmax", "params": {"l_u": [1, 100]}})
print(idx.compare(alt).head(3).to_string(index=False))
