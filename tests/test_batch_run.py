"""`clusterprint batch`: outputs, exit codes, parallel and resumable reports, Dask equivalence."""

import io
import json
import re
import shutil
import socket
import time
from concurrent.futures import ProcessPoolExecutor

import pandas as pd
import pytest

from pipeline import batch_run
from pipeline.batch import read_dataset, run_batch
from pipeline.batch_run import (
    Progress,
    ReportTask,
    cluster_tables,
    render_cluster,
    render_reports,
    render_reports_dask,
    run,
    run_batch_distributed,
)
from pipeline.cli import main

HEADER = ["name", "location", "accelerator", "count", "utilization", "period", "pue", "wue", "grid", "source_url"]


def _rows():
    return [
        ["A", "X", "h100-sxm", "1000", "0.8", "1 year", "1.2", "1.8 L/kWh", "us-srtv", "https://a"],
        ["A", "X", "h200-sxm", "500", "0.8", "1 year", "1.2", "1.8 L/kWh", "us-srtv", "https://a"],
        ["B", "Y", "a100-sxm4", "2000", "0.5", "30 day", "1.4", "0.5 L/kWh", "fr", "https://b"],
        ["C", "Z", "h100-sxn", "10", "0.5", "1 year", "1.2", "1 L/kWh", "us-srtv", "https://c"],
        ["D", "Z", "b200", "10", "0.5", "1 year", "0.9", "1 L/kWh", "de", "https://d"],
    ]


@pytest.fixture
def dataset(tmp_path):
    p = tmp_path / "clusters.csv"
    pd.DataFrame(_rows(), columns=HEADER).to_csv(p, index=False)
    return p


def test_batch_cli_outputs_and_exit_code_1_on_bad_rows(dataset, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["batch", str(dataset), "--out", str(out)]) == 1
    results = pd.read_csv(out / "results.csv")
    errors = pd.read_csv(out / "errors.csv")
    assert list(results["name"]) == ["A", "B"]
    assert results.columns[0] == "name"
    assert "facility_power_peak [MW]" in results.columns
    assert list(results["source_url"]) == ["https://a", "https://b"]  # extra columns pass through
    assert set(errors["row"]) == {5, 6}  # every input row is in results (rows 2-4) or errors (5-6)
    assert "did you mean 'h100-sxm'" in " ".join(errors["message"])
    assert (out / "summary.html").exists()
    assert (out / "summary.pdf").exists()
    assert not list(out.glob(".*.tmp"))


def test_exit_0_when_all_rows_compute(dataset, tmp_path):
    df = pd.read_csv(dataset).iloc[:3]
    good = tmp_path / "good.csv"
    df.to_csv(good, index=False)
    assert main(["batch", str(good), "--out", str(tmp_path / "o"), "--no-summary"]) == 0
    assert not (tmp_path / "o" / "summary.pdf").exists()


@pytest.mark.parametrize("content", ["", "foo,bar\n1,2\n"])
def test_unusable_input_exits_2(tmp_path, content, capsys):
    p = tmp_path / "bad.csv"
    p.write_text(content)
    assert main(["batch", str(p), "--out", str(tmp_path / "o")]) == 2
    assert "error:" in capsys.readouterr().err


def test_missing_file_exits_2(tmp_path, capsys):
    assert main(["batch", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o")]) == 2


def test_reports_are_parallel_and_resumable(dataset, tmp_path):
    out = tmp_path / "out"
    assert run(dataset, out, reports=True, workers=2, summary=False, formats=("html",)) == 1
    folder = out / "a"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["input_hash"]
    first = (folder / "report.html").stat().st_mtime_ns
    time.sleep(0.01)
    # a second run skips the clusters whose inputs did not change
    (name, table), *_ = list(cluster_tables(run_batch(read_dataset(dataset), source=str(dataset))))
    assert render_cluster(ReportTask(name, table, str(out), str(dataset), ("html",))) == ("A", "skipped")
    assert (folder / "report.html").stat().st_mtime_ns == first
    # a changed input is rendered again
    changed = table.clusters.assign(pue=1.3)
    task = ReportTask(name, type(table)(changed, table.groups, table.ranges), str(out), str(dataset), ("html",))
    assert render_cluster(task) == ("A", "written")
    assert "1.3" in (folder / "report.html").read_text()
    # an interrupted run (a file missing) is completed
    shutil.rmtree(out / "b")
    assert run(dataset, out, reports=True, workers=1, summary=False, formats=("html",)) == 1
    assert (out / "b" / "report.html").exists()


def test_progress_prints_plain_lines_when_not_a_terminal():
    buf = io.StringIO()
    p = Progress(3, "reports", stream=buf, every=0.0)
    for _ in range(3):
        p.update()
    p.close()
    lines = buf.getvalue().strip().splitlines()
    assert lines[-1].startswith("reports: 3/3 (100%)")
    assert "ETA" in lines[0]


def test_dask_local_cluster_equals_local_run(dataset):
    from dask import distributed  # the [dask] extra, installed by `make test`

    # a real scheduler and two worker processes on loopback TCP
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        # the whole command on the cluster: compute partitions plus one task per report (with its own
        # client, which is not the default one)
        out = dataset.parent / "dask-out"
        assert run(dataset, out, reports=True, scheduler=cluster.scheduler_address, summary=False,
                   formats=("html",)) == 1
        assert (out / "a" / "report.html").exists()
        assert (out / "b" / "manifest.json").exists()
        with distributed.Client(cluster) as client:
            remote = run_batch_distributed(read_dataset(dataset), str(dataset), client)
    local = run_batch(read_dataset(dataset))
    # same values and columns (text columns may come back as object instead of string dtype)
    pd.testing.assert_frame_equal(remote.results, local.results, check_dtype=False)
    pd.testing.assert_frame_equal(remote.errors, local.errors, check_dtype=False)


def test_summary_report_of_the_shipped_dataset(root, tmp_path, caplog):
    import logging

    from pypdf import PdfReader

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        code = run(root / "inputs/ai-clusters.csv", tmp_path, summary=True)
    assert code == 0
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
    results = pd.read_csv(tmp_path / "results.csv")
    assert len(results) >= 40
    assert results["source_url"].notna().all()
    assert results["grid_intensity_used [g CO2e / kWh]"].gt(0).all()
    text = " ".join(p.extract_text() for p in PdfReader(tmp_path / "summary.pdf").pages)
    text = " ".join(text.split())
    assert "report a site power; reported ÷ modelled peak has median" in text
    assert "xAI Colossus 1 (phase 1)" in text
    assert "accelerator.h100-sxm.tdp" in text  # the factors behind the clusters, with sources
    html = (tmp_path / "summary.html").read_text()
    assert "Reported and assumed inputs" in html
    # inputs by name (the dataset's column under it), and the full table has the accelerators and the water
    assert "period of operation, PUE, WUE" in html and ": utilization, period, pue, wue." not in html
    every = html[html.index('<section id="all"'):html.index("</section>", html.index('<section id="all"'))]
    assert "Accelerators</th>" in every and "Water on site per day</th>" in every
    largest = html[html.index('<section id="largest"'):html.index("</section>", html.index('<section id="largest"'))]
    assert ">1,000 MW<" not in largest and ">1 GW<" in largest  # reported 1,000 MW, beside a modelled 1.48 GW


def _error_lines(err):
    lines = err.strip().splitlines()
    assert len(lines) == 1, err  # one clear line, no traceback
    assert lines[0].startswith("error: ")
    return lines[0]


def test_malformed_scheduler_address_is_one_error_line(dataset, tmp_path, capsys):
    out = tmp_path / "o"
    assert main(["batch", str(dataset), "--out", str(out), "--scheduler", "not-an-address"]) == 2
    line = _error_lines(capsys.readouterr().err)
    assert line.startswith("error: --scheduler: not a Dask scheduler address")
    assert "'not-an-address'" in line and "tcp://HOST:PORT" in line
    assert not out.exists()  # refused before any work


def _free_loopback_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_scheduler_times_out_with_one_error_line(dataset, tmp_path, capsys, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr(batch_run, "SCHEDULER_CONNECT_TIMEOUT", 0.5)
    address = f"tcp://127.0.0.1:{_free_loopback_port()}"  # nothing listens there
    t0 = time.monotonic()
    assert main(["batch", str(dataset), "--out", str(tmp_path / "o"), "--scheduler", address]) == 2
    assert time.monotonic() - t0 < 10
    line = _error_lines(capsys.readouterr().err)
    assert f"cannot connect to the Dask scheduler at {address} (timed out after 0.5 s)" in line


def test_scheduler_without_workers_waits_then_exits_2(dataset, tmp_path, capsys, monkeypatch):
    from dask import distributed

    monkeypatch.setattr(batch_run, "WORKER_WAIT_TIMEOUT", 0.5)
    with distributed.LocalCluster(n_workers=0, processes=False, protocol="tcp://", host="127.0.0.1",
                                  scheduler_port=0, dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        t0 = time.monotonic()
        assert main(["batch", str(dataset), "--out", str(tmp_path / "o"), "--scheduler", address,
                     "--no-summary"]) == 2
        assert time.monotonic() - t0 < 20
    out, err = capsys.readouterr()
    assert f"waiting for Dask workers at {address} (up to 0.5 s)" in out
    assert f"no Dask workers at {address} after 0.5 s" in _error_lines(err)
    assert not (tmp_path / "o" / "results.csv").exists()


def test_interrupted_reports_say_how_many_were_written_and_resume(dataset, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    real, seen = render_cluster, []

    def interrupted_on_second(task):
        seen.append(task.name)
        if len(seen) == 2:
            raise KeyboardInterrupt  # Ctrl-C while the second report is rendered
        return real(task)

    monkeypatch.setattr(batch_run, "render_cluster", interrupted_on_second)
    with pytest.raises(KeyboardInterrupt) as info:
        run(dataset, out, reports=True, workers=1, summary=False, formats=("html",))
    assert str(info.value) == "interrupted: 1 of 2 reports written; run the same command again to resume"
    assert (out / "a" / "manifest.json").exists()
    assert not (out / "b" / "manifest.json").exists()
    assert not list(out.rglob(".*.tmp"))
    # the same command again finishes the rest and skips the report already written
    monkeypatch.setattr(batch_run, "render_cluster", real)
    capsys.readouterr()
    assert run(dataset, out, reports=True, workers=1, summary=False, formats=("html",)) == 1
    assert "1 cluster reports written, 1 up to date (skipped)" in capsys.readouterr().out
    assert (out / "b" / "manifest.json").exists()


def test_interrupt_in_the_process_pool_cancels_the_queued_reports(dataset, tmp_path, monkeypatch):
    out = tmp_path / "out"
    result = run_batch(read_dataset(dataset), source=str(dataset))
    tasks = [ReportTask(n, t, str(out), str(dataset), ("html",)) for n, t in cluster_tables(result)]
    for task in tasks:
        render_cluster(task)  # up to date: the pool's tasks below are quick, read-only skips
    shutdowns = []

    class Pool(ProcessPoolExecutor):
        def shutdown(self, wait=True, *, cancel_futures=False):
            shutdowns.append((wait, cancel_futures))
            super().shutdown(wait=wait, cancel_futures=cancel_futures)

    def drawn():  # Ctrl-C in the parent when the 10th task is drawn (the window of 2 workers is 8)
        for k in range(9):
            yield tasks[k % 2]
        raise KeyboardInterrupt

    monkeypatch.setattr(batch_run, "ProcessPoolExecutor", Pool)
    with pytest.raises(KeyboardInterrupt) as info:
        render_reports(drawn(), workers=2, total=10)
    assert shutdowns == [(False, True)]  # queued work cancelled, no wait for it
    m = re.fullmatch(r"interrupted: (\d+) of 10 reports written \((\d+) of them already up to date\); "
                     r"run the same command again to resume", str(info.value))
    assert m, str(info.value)
    assert 2 <= int(m[1]) <= 9  # two were collected before the interrupt; finished ones count too
    assert m[1] == m[2]


def test_interrupt_in_the_dask_report_loop_cancels_the_rest(monkeypatch):
    from dask import distributed

    class Future:
        def __init__(self, k):
            self.k = k

        def done(self):
            return self.k == 0

        def result(self):
            return f"c{self.k}", "written"

    class Client:
        cancelled: list = []
        loop = "the client's loop"

        def map(self, fn, tasks, pure):
            return [Future(k) for k in range(len(tasks))]

        def cancel(self, futures):
            self.cancelled.extend(f.k for f in futures)

    def completed(futures, loop):
        assert loop == "the client's loop"
        yield futures[0]
        raise KeyboardInterrupt

    monkeypatch.setattr(distributed, "as_completed", completed)
    client = Client()
    with pytest.raises(KeyboardInterrupt, match=r"^interrupted: 1 of 4 reports written; run the same command"):
        render_reports_dask(client, ["t0", "t1", "t2", "t3"])
    assert client.cancelled == [1, 2, 3]


def test_clusters_whose_names_share_a_slug_get_their_own_folders_and_resume(tmp_path, capsys):
    rows = [[name, *_rows()[0][1:]] for name in ("a b", "A-B")]
    dataset = tmp_path / "slugs.csv"
    pd.DataFrame(rows, columns=HEADER).to_csv(dataset, index=False)
    out = tmp_path / "out"
    for expected in ("2 cluster reports written, 0 up to date", "0 cluster reports written, 2 up to date"):
        assert run(dataset, out, reports=True, workers=1, summary=False, formats=("html",)) == 0
        assert expected in capsys.readouterr().out
    manifests = sorted(out.glob("*/manifest.json"))
    assert len(manifests) == 2
    assert all(m.parent.name.startswith("a-b-") for m in manifests)
