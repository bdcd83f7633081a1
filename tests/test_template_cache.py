"""Compiled templates are cached between processes, and the cache can only ever be a cache."""

import os

from pipeline.report import render


def test_an_edited_template_is_compiled_anew(tmp_path):
    (tmp_path / "t.html.j2").write_text("one {{ x }}")
    assert render.environment(tmp_path).get_template("t.html.j2").render(x=1) == "one 1"
    (tmp_path / "t.html.j2").write_text("two {{ x }}")
    assert render.environment(tmp_path).get_template("t.html.j2").render(x=2) == "two 2"  # a new process's view


def test_a_second_environment_loads_the_compiled_template_from_the_cache(tmp_path):
    cache = render._TemplateCache(str(tmp_path / "cache"))
    os.mkdir(tmp_path / "cache")
    (tmp_path / "t.html.j2").write_text("{{ x }}")
    env = render.environment(tmp_path)
    env.bytecode_cache = cache
    env.get_template("t.html.j2")
    assert len(os.listdir(tmp_path / "cache")) == 1
    again = render.environment(tmp_path)
    again.bytecode_cache = cache
    loaded = []
    original = cache.load_bytecode

    def spy(bucket):
        original(bucket)
        loaded.append(bucket.code is not None)

    cache.load_bytecode = spy
    assert again.get_template("t.html.j2").render(x=3) == "3" and loaded == [True]


def test_a_folder_that_cannot_be_written_means_no_cache_not_an_error(tmp_path):
    (tmp_path / "t.html.j2").write_text("{{ x }}")
    env = render.environment(tmp_path)
    env.bytecode_cache = render._TemplateCache(str(tmp_path / "gone"))  # removed under the running process
    assert env.get_template("t.html.j2").render(x=4) == "4"
    assert not (tmp_path / "gone").exists()
