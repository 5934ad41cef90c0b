"""The paper's quantitative statements, pinned.

``INVENTORY`` lists every numeric claim of 赵雅楠, 吕拉昌《深圳创新城市建设中的香港因素》 as
(claim id, section, printed value, printed unit), read from the paper by hand. The tests
check that ``claims.csv`` matches it exactly (a deleted, added or altered claim fails), that
every locator is a short verbatim snippet of the paper containing the number, and that every
source, observation and link of the corroboration files resolves.

The CSVs are read with pandas (``dtype=str``) so these tests do not depend on the loader; the
last tests also run :func:`hkfactor.evidence.load` and its audit when they are importable.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).resolve().parents[2] / "src" / "hkfactor" / "evidence" / "data"

#: (claim id, section, printed_value, printed_unit), in paper order
INVENTORY: tuple[tuple[str, str, str, str], ...] = (
    ('C001', '1', '40', '年'),
    ('C002', '1', '榜首', ''),
    ('C003', '1', '仅次于北京', ''),
    ('C004', '1', '1.7', '万家'),
    ('C005', '1', '首位', ''),
    ('C006', '1', '两', ''),
    ('C007', '1', '两', '个'),
    ('C008', '2', '70', '家'),
    ('C009', '2', '80', '%'),
    ('C010', '2', '前20', ''),
    ('C011', '2', '25', '年'),
    ('C012', '2', '第三大', ''),
    ('C013', '2', '70', '%'),
    ('C014', '2', '30 815', '家'),
    ('C015', '2', '1 894', '亿美元'),
    ('C016', '2', '48', '%'),
    ('C017', '2', '10', '%'),
    ('C018', '2', '30', '%'),
    ('C019', '2', '101', '家'),
    ('C020', '2', '1/4', ''),
    ('C021', '2', '110', '万美金'),
    ('C022', '2', '1.99', '亿美元'),
    ('C023', '2', '3', '种'),
    ('C024', '2', '1/3', ''),
    ('C025', '2', '2/3', ''),
    ('C026', '2', '1/2', ''),
    ('C027', '2', '5.8', '万家'),
    ('C028', '3', '5', '所'),
    ('C029', '3', '前100', ''),
    ('C030', '3', '22', '家'),
    ('C031', '3', '43', '位'),
    ('C032', '3.1', '6', '所'),
    ('C033', '3.1', '72', '家'),
    ('C034', '3.1', '269', '项'),
    ('C035', '3.1', '1 128', '项'),
    ('C036', '3.1', '79', '家'),
    ('C037', '3.1', '55', '家'),
    ('C038', '3.1', '9', '家'),
    ('C039', '3.1', '一', '项'),
    ('C040', '3.1', '22', '个'),
    ('C041', '3.1', '4', '个'),
    ('C042', '3.1', '20', '家'),
    ('C043', '3.1', '300', '家'),
    ('C044', '3.1', '四', ''),
    ('C045', '3.1', '30', '名'),
    ('C046', '3.1', '第二名', ''),
    ('C047', '3.1', '20', '家'),
    ('C048', '3.1', '110', '名'),
    ('C049', '3.1', '700', '项'),
    ('C050', '3.1', '200', '家'),
    ('C051', '3.1', '62', '个'),
    ('C052', '3.1', '637', '家'),
    ('C053', '3.2', '七成', ''),
    ('C054', '3.2', '22', '万人次/日'),
    ('C055', '3.2', '45', '万'),
    ('C056', '3.2', '9 211', '名'),
    ('C057', '3.2', '7 000', '名'),
    ('C058', '3.2', '12.5', '%'),
    ('C059', '3.2', '51.72', '%'),
    ('C060', '3.2', '463', '家'),
    ('C061', '3.2', '130', '家'),
    ('C062', '3.2', '235', '家'),
    ('C063', '3.2', '98', '家'),
    ('C064', '3.2', '5', '年'),
    ('C065', '3.2', '173', '家'),
    ('C066', '3.2', '1/2', ''),
    ('C067', 'table1', '457', '万元'),
    ('C068', 'table1', '258', '万元'),
    ('C069', 'table1', '1 000', '万元'),
    ('C070', 'table1', '1 200', '万元'),
    ('C071', 'table1', '3 000', '万元'),
    ('C072', 'table1', '5 000', '万元'),
    ('C073', '3.2', '10', '个'),
    ('C074', '3.2', '360', '家'),
    ('C075', '4', '11 000', '家'),
    ('C076', '4', '8 000', '家'),
    ('C077', '4', '70', '%'),
    ('C078', '4', '215', '家'),
    ('C079', '4', '60', '%'),
    ('C080', '4', '四', ''),
    ('C081', '4', '第一', ''),
    ('C082', '4', '三五', '年'),
    ('C083', '4', '第二大', ''),
    ('C084', '5', '600', '亿元'),
    ('C085', '5', '7 266', '亿元'),
    ('C086', '5', '12.6', '%'),
    ('C087', '5', '22.6', '%'),
    ('C088', '5', '70', '%'),
    ('C089', '5', '第二位', ''),
    ('C090', '5', '6.78', '万亿元'),
    ('C091', '5', '94.7', '%'),
    ('C092', '6', '两', ''),
    ('C093', '6', '三', '年'),
    ('C094', '6', '8', '个'),
    ('C095', '6', '12', '个'),
    ('C096', '6', '4', '个'),
    ('C097', '6', '两', ''),
    ('C098', '6', '三', '个'),
)

#: the paper's ranking and superlative statements (kind ``superlative``), appended after the
#: numeric claims in paper order: (claim id, section, printed word, verbatim locator)
SUPERLATIVES: tuple[tuple[str, str, str, str], ...] = (
    ('C099', '1', '前列', '专利申请授权量连续多年居全国前列'),
    ('C100', '2', '顶级', '香港拥有全球顶级的金融资源'),
    ('C101', '2', '最自由', '获评全球最自由经济体'),
    ('C102', '2', '最大', '成为我国市值最大的上市公司'),
    ('C103', '2', '最大', '世界规模最大的投资公司'),
    ('C104', '2', '最紧密', '成为深港金融合作最紧密的地区'),
    ('C105', '2', '最大', '我国最大的以跨境金融为特征的金融类企业聚集区'),
    ('C106', '3', '领先', '香港拥有世界领先的科研创新资源'),
    ('C107', '3.2', '最为密切', '珠三角人员往来最为密切的地区'),
    ('C108', '3.2', '首选', '科研人才和成果转化的首选之地'),
    ('C109', '3.2', '首选', '港校毕业生到内地发展的首选城市'),
    ('C110', '3.2', '首选', '腾讯和华为成为赴深求职的首选企业'),
    ('C111', '3.2', '最多', '深圳聚集最多港青创业者的地区'),
    ('C112', '3.2', '领先', '世界无人机的领先品牌'),
    ('C113', '5', '最大', '深圳成为最大的受益者'),
    ('C114', '5', '最大', '香港是深圳最大的进出口市场'),
    ('C115', '6', '领先', '香港国际领先的医疗研究水平'),
)

SECTION_COUNTS = {
    "1": 7, "2": 20, "3": 4, "3.1": 21, "3.2": 16, "table1": 6, "4": 9, "5": 8, "6": 7,
}

ENUMS = {
    "section": {"abstract", "1", "2", "3", "3.1", "3.2", "4", "5", "6", "7", "table1", "table2", "note"},
    "channel": {"finance", "research_talent", "manufacturing_chain", "trade", "platforms", "innovation_output",
                "context"},
    "qualifier": {"exact", "about", "over", "at_least", "under", "lower_bound_share"},
    "period_kind": {"year", "as_of", "cumulative", "range", "undated"},
    "kind": {"stated", "derived", "superlative"},
}

#: bracket references [1]..[45] and footnotes 1)..6) are all cited by the paper
N_REFERENCES = 45
N_FOOTNOTES = 6


def _read(rel: str) -> pd.DataFrame:
    return pd.read_csv(DATA / rel, dtype=str, keep_default_na=False, encoding="utf-8")


def _fold(s: str) -> str:
    return re.sub(r"\s+", "", s)


@pytest.fixture(scope="module")
def claims() -> pd.DataFrame:
    return _read("claims.csv")


@pytest.fixture(scope="module")
def sources() -> pd.DataFrame:
    return pd.concat([_read(f"sources/{p.name}") for p in sorted((DATA / "sources").glob("*.csv"))],
                     ignore_index=True)


@pytest.fixture(scope="module")
def observations() -> pd.DataFrame:
    return _read("observations/corroboration.csv")


@pytest.fixture(scope="module")
def all_observation_ids() -> set[str]:
    ids: set[str] = set()
    for p in sorted((DATA / "observations").glob("*.csv")):
        ids |= set(_read(f"observations/{p.name}")["id"])
    return ids



# ------------------------------------------------------------------ the inventory


def test_inventory_is_well_formed() -> None:
    ids = [row[0] for row in INVENTORY + SUPERLATIVES]
    assert ids == [f"C{i:03d}" for i in range(1, len(INVENTORY) + len(SUPERLATIVES) + 1)]
    assert Counter(row[1] for row in INVENTORY) == SECTION_COUNTS


def _numeric(claims: pd.DataFrame) -> pd.DataFrame:
    return claims[claims["kind"] != "superlative"]


def test_claims_match_the_inventory_exactly(claims: pd.DataFrame) -> None:
    data = list(_numeric(claims)[["id", "section", "printed_value", "printed_unit"]].itertuples(index=False,
                                                                                                name=None))
    missing = [row for row in INVENTORY if row not in data]
    extra = [row for row in data if row not in INVENTORY]
    assert not missing and not extra, f"missing or altered: {missing}; not in the inventory: {extra}"
    assert data == list(INVENTORY), "claims are not in paper order"


def test_superlatives_match_their_inventory_and_are_verbatim(claims: pd.DataFrame, paper: str) -> None:
    sup = claims[claims["kind"] == "superlative"]
    data = list(sup[["id", "section", "printed_value", "locator"]].itertuples(index=False, name=None))
    assert data == list(SUPERLATIVES)
    assert (sup["printed_unit"] == "").all()
    for cid, _, word, loc in SUPERLATIVES:
        assert len(loc) <= 30 and word in loc and loc in paper, (cid, loc)
    # the superlatives come after every numeric claim
    assert list(claims["kind"]).index("superlative") == len(INVENTORY)


def test_superlatives_read_as_ranks_through_the_loader() -> None:
    from hkfactor.evidence import load

    claims = {c.id: c for c in load().records.claims}
    for cid, _, word, _ in SUPERLATIVES:
        c = claims[cid]
        assert c.unit == "rank", cid
        if word in {"前列", "领先", "顶级"}:
            assert c.value != c.value, cid  # a vague top: NaN, no rank stated
        else:
            assert c.value == 1.0, cid


def test_counts_per_section(claims: pd.DataFrame) -> None:
    assert _numeric(claims)["section"].value_counts().to_dict() == SECTION_COUNTS
    assert len(_numeric(claims)) == sum(SECTION_COUNTS.values()) == 98
    assert len(claims) == 98 + len(SUPERLATIVES)


def test_enumerations(claims: pd.DataFrame) -> None:
    for col, allowed in ENUMS.items():
        bad = sorted(set(claims[col]) - allowed)
        assert not bad, f"{col}: {bad}"


def test_the_growth_rate_is_the_only_derived_claim(claims: pd.DataFrame) -> None:
    derived = claims.loc[claims["kind"] == "derived", ["id", "printed_value"]].values.tolist()
    assert derived == [["C086", "12.6"]]


def test_geographies_exist(claims: pd.DataFrame, observations: pd.DataFrame) -> None:
    geos = _read("geographies.csv")
    assert geos["id"].is_unique
    known = set(geos["id"])
    for code in ("SZ", "HK", "SZHK", "QH", "HT", "GD", "GBA", "CN", "WORLD", "SVUP", "SIAT", "DG"):
        assert code in known
    assert set(geos["parent"]) - {""} <= known
    assert set(claims["geography"]) <= known
    assert set(observations["geography"]) <= known


# ------------------------------------------------------------------ locators


def test_locators_are_short_and_hold_the_number(claims: pd.DataFrame) -> None:
    for r in claims.itertuples():
        assert 0 < len(r.locator) <= 30, (r.id, r.locator)
        assert r.printed_value in r.locator, (r.id, r.printed_value, r.locator)
        digits = re.sub(r"\D", "", r.printed_value)
        assert digits in re.sub(r"\D", "", r.locator), (r.id, r.locator)


def test_locators_occur_verbatim_in_the_paper(claims: pd.DataFrame, paper: str) -> None:
    missing = [(r.id, r.locator) for r in claims.itertuples() if r.locator not in paper]
    assert not missing


def test_claims_follow_the_paper(claims: pd.DataFrame, paper: str) -> None:
    """Ids run in paper order within each block, the numeric claims and then the superlatives (Table 1's
    cells are bare numbers and are checked for presence only)."""
    for block in (_numeric(claims), claims[claims["kind"] == "superlative"]):
        last = -1
        for r in block.itertuples():
            if r.section == "table1":
                continue
            pos = paper.find(r.locator)
            assert pos >= last, f"{r.id} ({r.locator}) comes before the previous claim in the paper"
            last = pos


def test_citations_are_printed_in_the_paper(claims: pd.DataFrame, paper: str) -> None:
    for r in claims.itertuples():
        if r.citation:
            assert r.citation in paper, (r.id, r.citation)


def test_source_ids_follow_the_citation(claims: pd.DataFrame) -> None:
    for r in claims.itertuples():
        ids = r.source_ids.split(";")
        assert ids[0] == "S-PAPER", r.id
        expected = {"S-PAPER"}
        for grp in re.findall(r"\[([^\]]+)\]", r.citation):
            for part in grp.split(","):
                a, _, b = part.partition("-")
                expected |= {f"S-REF-{i}" for i in range(int(a), int(b or a) + 1)}
        expected |= {f"S-FN-{n}" for n in re.findall(r"(\d)\)", r.citation)}
        assert set(ids) == expected, (r.id, r.citation, r.source_ids)


# ------------------------------------------------------------------ sources


def test_paper_sources(sources: pd.DataFrame, claims: pd.DataFrame) -> None:
    paper_src = _read("sources/paper.csv")
    assert paper_src["id"].tolist() == (
        ["S-PAPER"] + [f"S-REF-{n}" for n in range(1, N_REFERENCES + 1)] + [f"S-FN-{n}" for n in range(1, N_FOOTNOTES + 1)]
    )
    assert set(paper_src["grade"]) == {"P"}
    refs = paper_src[paper_src["kind"] == "reference"]
    assert (refs["ref_label"] == [f"[{n}]" for n in range(1, N_REFERENCES + 1)]).all()
    fns = paper_src[paper_src["kind"] == "footnote"]
    assert (fns["ref_label"] == [f"{n})" for n in range(1, N_FOOTNOTES + 1)]).all()
    assert fns["url"].str.startswith("http").all() and (fns["publisher"] != "").all()


def test_source_ids_are_unique_and_resolve(sources: pd.DataFrame, claims: pd.DataFrame,
                                           observations: pd.DataFrame) -> None:
    assert sources["id"].is_unique
    known = set(sources["id"])
    used = {i for cell in claims["source_ids"] for i in cell.split(";")}
    assert used <= known, sorted(used - known)
    assert set(observations["source_id"]) <= known
    own = _read("sources/corroboration.csv")
    assert set(own["grade"]) <= {"A", "B", "C"}
    assert (own["url"].str.startswith("http")).all()
    assert ((own["title_zh"] != "") | (own["title_en"] != "")).all()


# ------------------------------------------------------------------ observations and links


def test_every_observation_has_source_locator_and_grade(observations: pd.DataFrame) -> None:
    assert observations["id"].is_unique
    for r in observations.itertuples():
        assert r.source_id and r.grade in {"A", "B", "C"}, r.id
        assert len(r.locator) <= 30, (r.id, r.locator)
        assert r.locator or r.derived_from, f"{r.id}: needs a verbatim locator or a derived_from"
        if r.locator:
            assert _fold(r.printed_value) in _fold(r.locator) or r.printed_value in r.locator, (r.id, r.locator)
        assert r.id.startswith("O-"), r.id


def test_derived_observations_name_existing_observations(observations: pd.DataFrame) -> None:
    ids = set(observations["id"])
    for r in observations.itertuples():
        for ref in re.findall(r"O-[A-Za-z0-9_.-]+", r.derived_from):
            assert ref in ids, (r.id, ref)


def test_corroborations_resolve(claims: pd.DataFrame, all_observation_ids: set[str]) -> None:
    k = _read("corroborations.csv")
    assert k["id"].tolist() == [f"K{i:03d}" for i in range(1, len(k) + 1)]
    assert set(k["claim_id"]) <= set(claims["id"])
    assert set(k["observation_id"]) - {""} <= all_observation_ids
    assert set(k["comparison"]) <= {"equal", "scope_differs", "declared"}
    for r in k.itertuples():
        if r.comparison == "equal":
            assert r.observation_id, r.id
        else:
            assert r.declared_status in {"corroborated", "conflicts", "consistent", "unverified"}, r.id
        if r.comparison == "scope_differs":
            assert r.observation_id, r.id


def test_the_required_conflicts_are_recorded(observations: pd.DataFrame) -> None:
    k = _read("corroborations.csv")
    obs = observations.set_index("id")
    trade = k[k["claim_id"] == "C084"]  # 1997 SZ-HK trade, printed 600 亿元
    printed = {obs.loc[o, "printed_value"] + obs.loc[o, "printed_unit"] for o in trade["observation_id"] if o}
    assert {"701.4亿元人民币", "70.17billion yuan"} <= printed
    assert "conflicts" in set(trade["declared_status"])
    qh = k[k["claim_id"] == "C025"]  # 港资企业占前海企业总数的2/3
    assert "O-QH_HK_FIRM_SHARE-QH-2016-06" in set(qh["observation_id"])
    assert set(qh["declared_status"]) == {"conflicts"}
    assert obs.loc["O-QH_HK_FIRMS-QH-2016-06", "printed_value"] == "3306"


def test_derivations_name_existing_claims(claims: pd.DataFrame) -> None:
    d = _read("derivations.csv")
    assert d["id"].tolist() == [f"D{i:03d}" for i in range(1, len(d) + 1)]
    ids = set(claims["id"])
    assert set(d["claim_id"]) <= ids
    for expr in d["expression"]:
        assert set(re.findall(r"C\d{3}", expr)) <= ids, expr
    assert "cagr(C084, C085, 21)" in set(d["expression"])
    assert "C061 + C062 + C063" in set(d["expression"])


def test_the_paper_arithmetic_without_the_loader(claims: pd.DataFrame) -> None:
    value = {r.id: float(r.printed_value.replace(" ", "")) for r in claims.itertuples()
             if re.fullmatch(r"[\d .]+", r.printed_value)}
    assert (value["C085"] / value["C084"]) ** (1 / 21) - 1 == pytest.approx(0.126, abs=5e-4)
    assert value["C061"] + value["C062"] + value["C063"] == value["C060"]


def test_files_are_utf8_without_bom() -> None:
    own = ["claims.csv", "corroborations.csv", "derivations.csv", "geographies.csv", "sources/paper.csv",
           "sources/corroboration.csv", "observations/corroboration.csv", "claim_series.csv"]
    for rel in own:
        raw = (DATA / rel).read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), rel
        raw.decode("utf-8")


# ------------------------------------------------------------------ with the loader


def test_the_loader_reads_the_evidence() -> None:
    from hkfactor.evidence import load

    ev = load()
    assert len(ev.claims) == len(INVENTORY) + len(SUPERLATIVES)
    audit = ev.audit_
    status = audit.claims.set_index("claim_id")["status"]
    assert status["C084"] == "conflicts"  # 1997 trade: 600 vs 701.4 亿元
    assert status["C025"] == "conflicts"  # Qianhai 2/3 vs 3%
    d = audit.derivations.set_index("id")["status"]
    assert (d == "consistent").all(), d[d != "consistent"]
