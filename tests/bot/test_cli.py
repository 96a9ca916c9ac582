"""`python -m bot`: real processes, real exit codes, one clear line on bad settings."""

from __future__ import annotations

from pathlib import Path

from tests.support import run


def test_bad_setting_is_one_line_naming_it(tmp_path: Path) -> None:
    result = run(env={"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "PORT": "99999"}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["turnabout: PORT Input should be less than or equal to 65535"]


def test_half_configured_http_mode_is_refused(tmp_path: Path) -> None:
    result = run(env={"SLACK_BOT_TOKEN": "xoxb-1"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "SLACK_SIGNING_SECRET is required" in result.stderr
    assert "Traceback" not in result.stderr


def test_migrate_creates_the_database_and_is_repeatable(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}"}
    for _ in range(2):
        result = run("migrate", env=env, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "up to date" in result.stdout
    assert (tmp_path / "prod.db").exists()


def test_tick_needs_a_token_and_rejects_bad_instants(tmp_path: Path) -> None:
    assert "SLACK_BOT_TOKEN is required" in run("tick", cwd=tmp_path).stderr
    bad = run("tick", "--now", "next tuesday", cwd=tmp_path)
    assert bad.returncode == 2 and "not an ISO-8601 instant" in bad.stderr


def test_http_mode_serves_slack_and_health_and_stops_on_sigterm(tmp_path: Path) -> None:
    """`python -m bot` with a bot token and signing secret: waitress on PORT, as production runs it."""
    import json
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    from bot.sandbox.fake_slack import FakeSlack
    from bot.sandbox.roster import PEOPLE
    from tests.support import ROOT

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fake = FakeSlack(bot_token="xoxb-cli-test", signing_secret="cli-secret", users=PEOPLE).start()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TURNABOUT_", "DATABASE_URL"))}
    env.update(
        SLACK_BOT_TOKEN="xoxb-cli-test",
        SLACK_SIGNING_SECRET="cli-secret",
        SLACK_API_URL=fake.api_url,
        PORT=str(port),
        DATABASE_URL=f"sqlite:///{tmp_path / 'http.db'}",
        PYTHONPATH=str(ROOT),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot"], env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                    assert json.loads(response.read()) == {"ok": True, "database": "reachable"}
                    break
            except OSError:
                assert process.poll() is None, process.communicate()[1]
                assert time.monotonic() < deadline, "the server never answered"
                time.sleep(0.2)
        fake.app_url = base + "/slack/events"
        answer = fake.user("U0EMMA").slash("/mentoring", "help")
        assert answer.status == 200 and "/mentoring join" in answer.ephemeral_text
        assert fake.post_raw("command=/mentoring&text=help", secret="wrong").status == 401
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=20)
        fake.stop()
    assert process.returncode == 0, err
    assert "xoxb-cli-test" not in err and "cli-secret" not in err
