"""Issue 13: page 1 is a brief people can quote, numbers have sensible precision, comparisons read at a glance,
pages are not left mostly blank, sources are links. Rules are checked on the report *model* where possible and on
one real PDF render for what only the layout shows."""

import re
import subprocess

import pytest
from PIL import Image
from pypdf import PdfReader

from pipeline import compute
from pipeline.report.filters import fmt_delta_pct, fmt_delta_q, fmt_q, fmt_sig, typeset
from pipeline.report.model import air_context, brief, linkify, report_context
from pipeline.report.render import render_html, write_report
from pipeline.units import Q_

NUMBER = re.compile(r"(?<![\w.,/-])\d[\d,]*(?:\.\d+)?")
DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b(?:19|20)\d{2}\b")


def significant_figures(token: str) -> int:
    """Significant figures of a printed number: '1,210,000' -> 3, '0.0123' -> 3, '57.40' -> 4."""
    digits = token.replace(",", "")
    if "." in digits:
        whole, frac = digits.split(".")
        return len((whole + frac).lstrip("0"))
    return len(digits.strip("0")) or 1


def too_precise(text: str) -> list[str]:
    text = DATE.sub(" ", text)
    text = re.sub(r"\b[A-Za-z]+\d+[A-Za-z\d]*\b", " ", text)  # model names and ids: H100, GB200, eGRID2023
    return [t for t in NUMBER.findall(text) if significant_figures(t) > 3]


@pytest.mark.parametrize(("token", "n"), [("1,210,000", 3), ("0.0123", 3), ("57.40", 4), ("156", 3), ("1,214,574", 7)])
def test_significant_figures_helper(token, n):
    assert significant_figures(token) == n


@pytest.mark.parametrize(("q", "unit", "expected"), [
    (Q_(1214574.3, "MWh"), "MWh", "1.21 TWh"), (Q_(991111, "MWh"), "MWh", "991 GWh"),
    (Q_(497647.5, "t CO2e"), "t CO2e", "498 kt CO₂e"), (Q_(1.2e6, "t CO2e"), "t CO2e", "1.20 Mt CO₂e"),
    (Q_(1263367.7, "US_liquid_gallon/day"), "US_liquid_gallon / day", "1.26 million US gal/day"),
    (Q_(156.49, "MW"), "MW", "156 MW"), (Q_(0.0, "MW"), "MW", "0 MW"), (Q_(15133287.8, "USD"), "USD", "$15.1 million"),
])
def test_one_formatter_scales_units_and_rounds_to_three_figures(q, unit, expected):
    assert fmt_q(q, unit) == expected


def test_deltas_carry_an_arrow_and_a_sign_not_colour_alone():
    assert fmt_delta_q(Q_(144000, "t CO2e"), "t CO2e") == "▲ +144 kt CO₂e"
    assert fmt_delta_q(Q_(-5.2e6, "m**3"), "m ** 3") == "▼ −5.20 million m³"
    assert fmt_delta_pct(-0.47) == "−47 %" and fmt_delta_pct(0.36) == "+36 %"
    assert fmt_sig(999.7) == "1,000"


def test_co2e_is_typeset_in_text_but_not_in_ids():
    assert typeset("CO2e of co2e_location_based, SO2") == "CO₂e of co2e_location_based, SO₂"
    html = render_html(report_context(compute("inputs/colossus.yaml", draws=0)))
    body = html[html.index("<body"):]
    assert "CO2e" not in re.sub(r'data-metric="[^"]*"|title="[^"]*"', "", body)
    assert "CO₂e" in body and "text-transform: uppercase; letter-spacing: 0.04em" not in html


@pytest.fixture(scope="module", params=["inputs/colossus.yaml", "inputs/colossus-phase2.yaml"])
def page1(request):
    result = compute(request.config.rootpath / request.param, draws=500)
    return result, brief(result, 0, [], air_context(result, 0))


def test_brief_has_sentences_four_or_five_cards_and_verdicts(page1):
    result, b = page1
    assert len(b["sentences"]) >= 2 and all(s.endswith(".") for s in b["sentences"])
    main = [c for c in b["cards"] if c["metric"] not in ("health_damages", "nox_onsite")]
    assert 4 <= len(main) <= 5
    for card in main:
        assert card["range"], card  # 90 % range with draws
        assert "per accelerator" in card["per_gpu"], card
    # one equivalence per card, never the same one twice: the homes belong to the energy card (over a year, the
    # power card's "mean draw of N homes" would repeat the energy card's N)
    equivalents = {c["metric"]: c["equivalent"] for c in main if c["equivalent"]}
    assert set(equivalents) == {"energy", "water_onsite_per_day", "co2e_location_based"}
    assert all(e.startswith("≈") for e in equivalents.values())
    assert sum("homes" in e for e in equivalents.values()) == 1
    assert len({re.sub(r"[\d,.]+", "N", e) for e in equivalents.values()}) == len(equivalents)
    assert len(b["verdicts"]) >= 1 and all(v["text"].endswith(".") for v in b["verdicts"])
    assert (b["air_card"] is not None) == air_context(result, 0)["show"]


def test_no_number_on_the_brief_has_more_than_three_significant_figures(page1):
    _, b = page1
    texts = b["sentences"] + [v["text"] for v in b["verdicts"]] + b["caveats"]
    for card in b["cards"]:
        texts += [card[k] for k in ("value", "range", "sub", "equivalent", "per_gpu")]
    assert [t for t in texts if too_precise(t)] == []


def test_sources_are_numbered_links():
    parts = linkify("US EPA (2023), https://www.epa.gov/x.pdf; see also http://a.org/b).")
    assert [p["url"] for p in parts if p["url"]] == ["https://www.epa.gov/x.pdf", "http://a.org/b"]
    ctx = report_context(compute("inputs/colossus.yaml", draws=0))
    assert all(a["ref"] >= 1 for a in ctx["assumptions"] if a["source"])
    html = render_html(ctx)
    refs = html[html.index('id="references"'):]
    assert refs.count("<li id=\"ref-") == len(ctx["references"]) > 5
    assert '<a href="https://' in refs
    assert 'href="#ref-1"' in html[: html.index('id="references"')]
    for name in ("report.pdf", "results.csv", "results.json", "colossus.yaml"):  # download links
        assert f'href="{name}"' in html


def test_comparison_shows_only_rows_that_differ_with_a_true_intro(root):
    from pipeline.compare import compare
    from pipeline.report.compare_model import comparison_context

    ctx = comparison_context(compare(root / "inputs/colossus-variants.yaml", draws=0))
    assert ctx["title"].startswith("Scenarios compared") and " - variants" not in ctx["title"]
    assert "PUE" in ctx["intro"] and "WUE" in ctx["intro"] and "supply (grid," in ctx["intro"]  # California: a grid
    for row in ctx["rows"]:
        values = {c["value"] for c in row["cells"]}
        assert len(values) > 1, row["name"]
        for c in row["cells"][1:]:
            assert c["delta"][0] in "▲▼=–", c
    assert [c.id for c in ctx["charts"][:2]] == ["rank-co2e", "rank-water"]
    assert len(ctx["bases"]) == len(ctx["variants"])
    supply = comparison_context(compare(root / "inputs/colossus.yaml", ["grid", "ppa-100"], draws=0))
    assert supply["title"].startswith("Supply scenarios compared") and supply["intro"].startswith(
        "The variants differ in supply (renewable purchases);")  # the same grid, another contract
    assert any("same in every" not in s for s in supply["same"])  # energy is the same under both supplies
    assert any(s.startswith("Facility energy") for s in supply["same"])


def _fill(png):
    """Share of a portrait page's text area that is used, from the lowest non-white row above the footer."""
    im = Image.open(png).convert("L")
    w, h = im.size
    top, bottom = round(h * 20 / 297), round(h * (297 - 18) / 297)
    px = im.load()
    last = top
    for y in range(top, bottom):
        if any(px[x, y] < 200 for x in range(0, w, 2)):
            last = y
    return (last - top) / (bottom - top)


def test_rendered_report_page1_and_pagination(root, tmp_path):
    paths = write_report(compute(root / "inputs/colossus-phase2.yaml", draws=500), 0, tmp_path, ("pdf",))
    reader = PdfReader(paths["pdf"])
    first = reader.pages[0].extract_text()
    s = compute(root / "inputs/colossus-phase2.yaml", draws=0).scenarios[0]
    for given in (s.name, s.location, s.description):  # user text is printed as given
        first = first.replace(given, " ")
    first = re.sub(r"clusterprint \d+\.\d+\.\d+\S*|\d+ / \d+", " ", first)
    assert "In brief" in first and too_precise(first) == []
    subprocess.run(["pdftoppm", "-png", "-r", "30", str(paths["pdf"]), str(tmp_path / "p")], check=True)
    pngs = sorted(tmp_path.glob("p-*.png"))
    texts = [p.extract_text() for p in reader.pages]
    headings = ["In brief", "Contents", "Where it goes", "Fleet and inputs", "Air and health", "Claims vs model",
                "All results", "Uncertainty", "Method", "Assumptions and sources", "References", "Glossary",
                "Timeline"]
    for k, png in enumerate(pngs[:-1]):
        if _fill(png) >= 1 / 3:
            continue
        # a page under a third full must end a section: the next page opens a new one
        nxt = texts[k + 1].split("\n")
        assert any(line.strip().startswith(h) for line in nxt[:3] for h in headings), (k + 1, _fill(png))


def test_assumptions_keep_every_factor_and_print_long_text_once(root):
    """Sources are cited as [n], a licence shared by every factor of a source moves to its reference, and notes are
    numbered once: nothing is dropped, every row still leads to its source, licence and note."""
    result = compute(root / "inputs/colossus-phase2.yaml", draws=0)
    ctx = report_context(result)
    rows, refs, notes = ctx["assumptions"], ctx["references"], ctx["factor_notes"]
    assert [r["name"] for r in rows][: len(result.assumptions(0))] == [f.name for f in result.assumptions(0)]
    text = {r["n"]: "".join(p["text"] for p in r["parts"]) for r in refs}
    by_note = {n["n"]: n["text"] for n in notes}
    for row in rows:
        if row["source"]:
            assert text[row["ref"]] == row["source"].strip()
            ref = next(r for r in refs if r["n"] == row["ref"])
            assert (row["licence_shown"] or ref["licence"]) == row["licence"]  # in the row or in its reference
        if row["note"]:
            assert by_note[row["note_n"]] == typeset(row["note"].strip())
    assert len(notes) == len({r["note"].strip() for r in rows if r["note"]})  # each distinct note once
    assert len(refs) == len({r["ref"] for r in ctx["claims"] + ctx["assumptions"] + ctx["uncertainty"] if r["ref"]})


def test_comparison_lists_each_factor_once_with_the_variants_that_use_it(root):
    from pipeline.compare import compare
    from pipeline.report.compare_model import comparison_context

    c = compare(root / "inputs/colossus-variants.yaml", draws=0)
    ctx = comparison_context(c)
    n = len(c.variants)
    per_variant = [{(f.name, str(f.quantity)) for f in c.result.assumptions(k)} for k in range(n)]
    every = set().union(*per_variant)
    assert len(ctx["assumptions"]) == len(every)  # each distinct factor (name and value) exactly once
    for row in ctx["assumptions"]:
        users = [k + 1 for k in range(n) if any(name == row["name"] for name, _ in per_variant[k])]
        if row["used_by"]:
            assert len(users) >= 1 and row["used_by"] != ", ".join(str(k) for k in range(1, n + 1))
    for d in ctx["differing"]:  # the table keeps only factors whose value really differs
        assert len({v for v in d["values"] if v != "–"}) >= 2, d
    assert ctx["used_by_some"] + len(ctx["differing"]) == len(c.differing_assumptions())


@pytest.mark.parametrize(("source", "who"), [
    ("MLGW CEO to Memphis City Council, June 2024 (WREG; Commercial Appeal, 9 Jul 2024): up to 150 MW at peak",
     "MLGW CEO to Memphis City Council, June 2024"),
    ("150 MW MLGW/TVA grid (TVA board, 7 Nov 2024) + 150 MW Tesla Megapacks; second substation to 300 MW "
     "(Greater Memphis Chamber via Tom's Hardware, 2025)", "Greater Memphis Chamber via Tom's Hardware, 2025"),
    ("1.3 million gallons a day", "A published figure"),
])
def test_claim_sentences_name_who_published_the_figure(source, who):
    from pipeline.report.model import _short_source

    assert _short_source(source) == who


# ---- the final visual pass: numbers and words that were wrong or misleading ---------------------------------------

def test_power_chart_parts_add_up_to_mean_and_peak_facility_power(root):
    """Hosts at peak draw their nameplate share: the peak bar's parts add up to the peak card's figure."""
    from pipeline.report.model import power_split

    result = compute(root / "inputs/colossus.yaml", draws=0)
    split = power_split(result, 0)
    for key, metric in (("mean", "facility_power"), ("peak", "facility_power_peak")):
        assert sum(split[key].values()) == pytest.approx(float(result.metric(metric, 0).m_as("MW")), rel=1e-9)
    assert split["peak"]["hosts"] > split["mean"]["hosts"]


def test_timeline_brief_counts_the_accelerators_running_at_once_not_every_phase_s(root):
    result = compute(root / "inputs/colossus-timeline.yaml", draws=0)
    b = brief(result, 0, [], air_context(result, 0))
    largest = max(sum(g.count for g in p.info.groups) for p in result.phases_of(0))
    every = sum(g.count for g in result.scenarios[0].groups)
    assert every > largest
    peak = next(c for c in b["cards"] if c["metric"] == "facility_power_peak")
    assert peak["per_gpu"].startswith(fmt_q(result.metric("facility_power_peak", 0).to("kW") / largest, "kW"))
    assert f"up to {largest:,.0f} accelerators" in b["sentences"][0]
    assert f"{every:,.0f}" not in b["sentences"][0]


def test_air_section_words_fit_the_scenario(root):
    html = render_html(report_context(compute(root / "inputs/colossus.yaml", draws=0)))
    grid_only = html[html.index('<section id="air"'):html.index("</section>", html.index('<section id="air"'))]
    assert "()" not in grid_only and "On-site figures" not in grid_only and "Grid figures are" in grid_only
    turbines = report_context(compute(root / "inputs/colossus-phase2.yaml", draws=0))
    assert turbines["air"]["controls_label"] == "with SCR"
    phases = air_context(compute(root / "inputs/colossus-timeline.yaml", draws=0), 0)["controls_label"]
    assert phases.startswith("uncontrolled (") and "with SCR (" in phases and "phase " not in phases
    assert "gas-turbine-simple-cycle" not in turbines["inputs"]["onsite"]
    assert all(g[:1].isupper() for g in turbines["air"]["gaps"])
    assert [h["metric"] for h in turbines["air"]["health"]] == ["health_damages", "health_damages_onsite",
                                                                "health_damages_grid"]
    grid_health = air_context(compute(root / "inputs/colossus.yaml", draws=0), 0)["health"]
    assert len(grid_health) == 1 and "grid power plants" in grid_health[0]["label"]  # no row repeating the total


def test_uncertain_durations_in_days_or_years_and_timeline_inputs_name_their_phase(root):
    from pipeline.report.model import uncertainty_rows

    rows = {r["name"]: r for r in uncertainty_rows(compute(root / "inputs/grok-2-training.yaml", draws=200), 0)}
    assert rows["period"]["unit"] == "days" and rows["period"]["mode"] == "90"
    lifetime = next(r for name, r in rows.items() if "lifetime" in name)
    assert lifetime["unit"] == "years" and lifetime["mode"] == "4"
    rows = uncertainty_rows(compute(root / "inputs/colossus-timeline.yaml", draws=200), 0)
    labels = [r["label"] for r in rows if r["name"] == "supply.onsite.share"]
    assert len(labels) > 1 and len(set(labels)) == len(labels)  # one per phase, each named
    # a fleet input by its group's label, not its position in the file ("Fleet group 1: count")
    fleet = [r["label"] for r in rows if r["name"].startswith("fleet[")]
    assert fleet == ["H100 (Ramp-up on mobile turbines): accelerator count"]


@pytest.mark.parametrize(("path", "name"), [
    ("health.easiur-memphis-stack150.damage_per_nox", "EASIUR Memphis 150 m stacks: damage per t NOx"),
    ("combustion.gas-turbine/scr.nox_per_heat", "Gas turbine, SCR: NOx factor"),
    ("market_based.residual_intensity", "Residual-mix emission factor (market-based)"),
])
def test_factor_names_are_written_as_people_write_them(path, name):
    from pipeline.report.model import input_name

    assert input_name(path) == name


def test_contents_list_sections_in_document_order(root):
    """The contents' order is the order of the sections (the comparison listed "What changes" before "Variants")."""
    from pipeline.compare import compare
    from pipeline.report.compare_model import comparison_context

    docs = [render_html(report_context(compute(root / "inputs/colossus-phase2.yaml", draws=0))),
            render_html(comparison_context(compare(root / "inputs/colossus.yaml", ["grid", "gas-turbines"], draws=0)),
                        template="compare.html.j2")]
    for html in docs:
        toc = html[html.index('<nav class="toc"'):html.index("</nav>", html.index('<nav class="toc"'))]
        listed = re.findall(r'href="#([\w-]+)"', toc)
        order = [m for m in re.findall(r'<section id="([\w-]+)"', html) if m in listed]
        assert listed == order


def test_comparison_tags_each_column_with_the_basis_it_was_computed_on(root):
    """On the lifecycle basis (France's published one) the SRTV baseline's factor is derived from its mix: its
    column must not say "direct", and the ranked health chart leaves out variants whose damages are not modelled."""
    from pipeline.compare import compare
    from pipeline.report.compare_model import comparison_context

    c = compare(root / "inputs/colossus.yaml", ["grid", "france", "gas-turbines"], draws=0, basis="lifecycle")
    ctx = comparison_context(c)
    assert [s.carbon_basis for s in c.result.scenarios][:2] == ["lifecycle", "lifecycle"]
    assert ctx["bases"][0].startswith("lifecycle") and "direct" not in ctx["bases"][0]
    assert ctx["basis_note"]
    health = next((ch for ch in ctx["charts"] if ch.id == "cmp-health"), None)
    modelled = len(c.variants) - len(ctx["health_missing"])
    assert (health is None) == (modelled < 2)  # a single bar is said in words (the ranking), not drawn
    for name in ctx["health_missing"]:
        assert c.value("health_damages", [v.name for v in c.variants].index(name)) is None
        assert health is None or f">{name}<" not in health.svg


def test_batch_summary_prints_empty_cells_empty_not_nan():
    from pipeline.report.summary import _text

    assert _text(float("nan")) == "" and _text(None) == "" and _text("Norway") == "Norway"


def test_brief_never_says_in_not_disclosed(root):
    result = compute(root / "inputs/grok-2-training.yaml", draws=0)
    assert result.scenarios[0].location.lower().startswith("not disclosed")
    first = brief(result, 0, [], air_context(result, 0))["sentences"][0]
    assert " in not disclosed" not in first and "United States grid" in first


def _section(html, sid):
    start = html.index(f'<section id="{sid}"')
    return html[start:html.index("</section>", start)]


def test_words_not_ids_and_no_sentence_about_what_is_not_reported(tmp_path):
    """Damage factors are named as health.csv names them (not "us-egu"); with a set that publishes no deaths per
    tonne, the section says deaths are not reported and does not explain what the deaths it lacks would mean."""
    import yaml

    from tests.conftest import scenario_dict

    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(scenario_dict(supply={"grid": "us-srtv"})))
    html = render_html(report_context(compute(path, draws=0)))
    air = _section(html, "air")
    assert "us-egu" not in air and "US EPA benefit-per-ton" in air
    assert "Premature deaths are statistical" not in air and "premature deaths are not reported." in air


def test_timeline_follows_the_contents_and_says_its_controls_in_words(root):
    """Contents open page 2 in every report: the dated phases come after them (and are listed); the NOx control is
    "SCR", not the scenario's "scr"; one published figure is "a figure", and the page-1 air card does not nest
    parentheses three deep."""
    ctx = report_context(compute(root / "inputs/colossus-timeline.yaml", draws=0))
    html = render_html(ctx)
    toc = html.index('<nav class="toc"')
    assert toc < html.index('<section id="timeline"') and 'href="#timeline"' in html[toc:html.index("</nav>", toc)]
    supplies = [r["supply"] for r in ctx["timeline"]["rows"]]
    assert any("(SCR)" in s for s in supplies) and not any("(scr)" in s for s in supplies)
    assert ctx["brief"]["sentences"][2] == "Checked against 1 published figure: it agrees with the model."
    card = next(c for c in ctx["brief"]["cards"] if c["metric"] == "health_damages")
    assert "uncontrolled in 3 phases, with SCR in 1" in card["sub"] and "))" not in card["sub"]
    controls = [r["value"] for r in ctx["assumptions"] if r["name"] == "supply.onsite.controls"]
    assert controls and "no data" not in controls and "with SCR" in controls


def test_comparison_page1_names_the_lowest_and_highest_and_marks_the_baseline_once(root):
    from pipeline.compare import compare
    from pipeline.report.compare_model import comparison_context

    ctx = comparison_context(compare(root / "inputs/colossus-variants.yaml", draws=0))
    co2e, *_ = ctx["extremes"]
    ranked = ctx["charts"][0].alt.split(": ", 1)[1].split("; ")  # "Dry cooling in California 213", ...
    assert co2e.startswith(f"Lowest CO₂e (location-based): {ranked[0].rsplit(' ', 1)[0]}, ")
    assert "Highest: Gas turbines only and Gas turbines with SCR, " in co2e  # a tie is named together
    assert any("market-based" in x and "Grid + 100 % PPA" in x for x in ctx["extremes"])
    assert "(as built, phase 1; baseline)" in ctx["charts"][0].alt and ") (" not in ctx["charts"][0].alt
    used = [r["used_by"] for r in ctx["assumptions"] if r["used_by"]]
    for u in used:  # "variant 6", "variants 2–4": singular for one
        word, numbers = u.split(" ", 1)
        assert word == ("variant" if numbers.isdigit() else "variants"), u
    assert any(u.split(" ", 1)[1].isdigit() for u in used)


@pytest.mark.parametrize(("grid", "unit"), [("no", "m³/day"), ("us-srtv", "US gal/day")])
def test_daily_water_on_page1_in_the_unit_of_the_site_s_country(tmp_path, grid, unit):
    """US gallons for a US grid region, cubic metres elsewhere: a Norwegian site's brief is not in US gallons."""
    import yaml

    from tests.conftest import scenario_dict

    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(scenario_dict(supply={"grid": grid})))
    result = compute(path, draws=0)
    b = brief(result, 0, [], air_context(result, 0))
    card = next(c for c in b["cards"] if c["metric"] == "water_onsite_per_day")
    assert card["value"].endswith(unit) and f" {unit} of cooling water" in b["sentences"][1]
    assert ("gal" in card["sub"] + card["per_gpu"]) == (unit == "US gal/day")
    assert card["per_gpu"].endswith(("L/day per accelerator", "US gal/day per accelerator")), card["per_gpu"]


def test_a_scenario_that_was_not_drawn_never_says_medians_of_draws(root):
    """An hourly scenario beside an annual one is drawn over the hours only when draws are asked for: the batch of
    two is drawn (10,000 draws for the annual scenario), the hourly scenario's report shows central values and must
    not call them medians of 10,000 draws nor list an uncertainty section."""
    r = compute([root / "inputs/grok-2-training.yaml", root / "inputs/colossus-hourly.yaml"])
    assert r.draws > 0 and r.uncertain[0] and not r.uncertain[1]
    hourly, annual = report_context(r, 1), report_context(r, 0)
    assert hourly["draws"] == "" and hourly["uncertainty"] == []
    assert "medians" not in hourly["brief"]["sentences"][1]
    assert "medians" in annual["brief"]["sentences"][1] and annual["draws"]
