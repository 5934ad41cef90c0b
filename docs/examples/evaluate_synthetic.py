"""Evaluate the SYNTHETIC example city pair from Python and write its report.

Run from the repository root:  python docs/examples/evaluate_synthetic.py [OUT_DIR]
(The data are invented for the example; see synthetic_pair.yaml.)
"""

import sys
from pathlib import Path

from hkfactor.evaluation import EvaluationRecipe, evaluate, read_data, read_framework
from hkfactor.report.evaluation import write_report

here = Path(__file__).resolve().parent
out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("out/synthetic_critic")

fw = read_framework(here / "synthetic_pair.yaml")
ev = evaluate(read_data(here / "synthetic_pair.csv", fw), fw, recipe=EvaluationRecipe(weighting="critic"))
print(ev.coupling.table[["year", "U_partner_factor", "U_innovation", "D", "band_en"]].to_string(index=False))
for d in ev.decisions:
    print("-", d.render("en"))
print(write_report(ev, out, lang="en").html)
