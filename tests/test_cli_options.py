# --json, --port and --archive work before and after the sub-command, from one shared definition.
from __future__ import annotations

import json

import click
import pytest
import report_kit as kit
from click.testing import CliRunner
from proto_sim import cli
from talktoken.cli.root import COMMANDS, LazyGroup
from talktoken.cli.root import cli as root
from talktoken.sim.device import SimDevice


def run(*args: str, env: dict | None = None):
    full = {"TALKTOKEN_PORT": None, "TALKTOKEN_ARCHIVE": None, **(env or {})}
    return CliRunner().invoke(root, list(args), env=full, catch_exceptions=False)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    path = tmp_path_factory.mktemp("arc")
    kit.make_archive(path, n=2, turns=30).close()
    return path


@pytest.mark.parametrize(
    "args",
    [
        ("--json", "report", "--last", "--archive", "{a}"),
        ("report", "--last", "--json", "--archive", "{a}"),
        ("--archive", "{a}", "report", "--json"),
        ("report", "--archive", "{a}", "--last", "--format", "json"),
    ],
)
def test_report_json_in_every_position(archive, args):
    r = run(*(a.format(a=archive) for a in args))
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert len(data["sessions"]) == 1


def test_report_without_json_is_the_table(archive):
    r = run("report", "--last", "--archive", str(archive))
    assert r.exit_code == 0, r.output
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.output)


def test_report_json_and_another_format_is_a_usage_error(archive):
    r = run("report", "--json", "--format", "html", "--archive", str(archive))
    assert r.exit_code == 2 and "--json" in r.output and "html" in r.output


def test_archive_from_the_environment_is_used(archive):
    r = run("report", "--json", env={"TALKTOKEN_ARCHIVE": str(archive)})
    assert r.exit_code == 0 and json.loads(r.output)["sessions"]


def test_typed_archive_wins_over_the_environment(archive, tmp_path):
    r = run("--archive", str(archive), "report", "--json", env={"TALKTOKEN_ARCHIVE": str(tmp_path)})
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["sessions"]


@pytest.mark.parametrize("before", [True, False])
def test_agenda_template_list_json(before):
    args = ["--json", "agenda", "template"] if before else ["agenda", "template", "--json"]
    r = run(*args)
    assert r.exit_code == 0, r.output
    assert "interpersonal" in json.loads(r.output)


def test_agenda_check_json_after_the_file(tmp_path):
    path = tmp_path / "a.toml"
    path.write_text(run("agenda", "template", "grief").output)
    r = run("agenda", "check", str(path), "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["ok"] is True


def test_demo_archive_and_json_after_the_command(tmp_path):
    r = run("demo", "--archive", str(tmp_path / "arc"), "--json", "--quiet")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["archive"] == str(tmp_path / "arc")
    assert (tmp_path / "arc").is_dir()


def _leaves(group: click.Group, ctx: click.Context, prefix: tuple[str, ...] = ()):
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        assert cmd is not None
        yield (*prefix, name), cmd
        if isinstance(cmd, click.Group):
            yield from _leaves(cmd, ctx, (*prefix, name))


PRINTS_NO_DATA = {("sim",)}  # the terminal view; its headless mode prints lines for scripts


def test_every_data_command_shows_json_in_its_help():
    ctx = click.Context(root)
    assert isinstance(root, LazyGroup) and set(root.list_commands(ctx)) == set(COMMANDS)
    for path, cmd in _leaves(root, ctx):
        if path in PRINTS_NO_DATA:
            continue
        r = run(*path, "--help")
        assert r.exit_code == 0, (path, r.output)
        assert "--json" in r.output, path
        opts = {o for p in cmd.params for o in getattr(p, "opts", [])}
        assert "--json" in opts, path


@pytest.fixture(scope="module")
def dev():
    with SimDevice(vm="micropython") as d:
        yield d


def test_info_json_after_the_command(dev):
    r = cli(dev.port, "info", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["state"] == "ready"


def test_port_after_the_command_wins_over_the_environment(dev, tmp_path):
    r = cli(str(tmp_path / "nope"), "info", "--port", dev.port, "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["proto"] == 1


def test_port_before_the_command_wins_over_the_environment(dev, tmp_path):
    r = cli(str(tmp_path / "nope"), "--port", dev.port, "clock", "--json")
    assert r.returncode == 0, r.stderr
    assert "offset_s" in json.loads(r.stdout)


def test_logs_options_after_the_sub_command(dev, tmp_path):
    r = cli(None, "logs", "list", "--port", dev.port, "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == []
    arc = tmp_path / "arc"
    r = cli(None, "logs", "pull", "--port", dev.port, "--archive", str(arc), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["sessions"] == [] and arc.is_dir()
