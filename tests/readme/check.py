#!/usr/bin/env python3
"""Runs the README's examples against a real newsmeta and checks the answers they show.

Usage (from anywhere in the clone; run by .ci/run):

    python3 tests/readme/check.py target/debug/newsmeta [README.md]

The script starts the given binary itself (`serve`, a fresh SQLite database in a temporary
directory, a free port, the seed loaded on first start), waits for /health/ready, and stops it at
the end. Python 3.11 standard library only; `curl` and `jq` must be on PATH.

What runs
    The ```sh blocks of every section (a `##` or `###` heading) that has a `curl` against
    http://127.0.0.1:8080 in one of its sh blocks, in document order, command by command, in ONE
    bash session, so that `KEY=...` set in one block is there for the next. In each command
    `http://127.0.0.1:8080` becomes the service's real address, and `cargo run --release -q --`
    the binary (same DATABASE_URL). A line `VAR=value ... cargo run --release` restarts the
    service on the same database with those variables added. Any other `cargo` is an error.
    A block right after a line `<!-- readme-check: skip -->` is not run. Every command must exit
    with status 0. A command whose answer is not shown must not answer a problem document
    (`{"type": "/problems/...", "status": N}`) unless its own trailing comment names N (`# 406`).

What is checked
    - A ```json block right after an sh block is the answer of that block: the commands' standard
      output, taken together, must be the same sequence of JSON values.
    - `#` comment lines right after a command (no blank line between) show its answer:
      JSON (a comment starting with `{` or `[`, possibly over several lines) is matched like a
      json block; `HTTP/1.1 200 OK` must be a status line of the output (curl -D -), and
      `name: value` a header of it (name case-insensitive). Any other such comment is an error, so
      an answer shown in the README is always one that is checked.

Matching (strict: everything is equal unless one of these rules applies)
    - Objects have the same keys, arrays the same length and order; numbers, booleans, null and
      strings are equal (true is not 1).
    - In an expected string or header value, `…` stands for any run of characters (at least one):
      `"http://127.0.0.1:8080/v1/articles/…"`, `etag: "…"`, `"…"` alone for any non-empty string.
    - An id shortened as 8 hex digits and `-…` (`"01a21abc-…"`) matches any UUID: ids are UUIDv7,
      made from the clock, so the digits only show what an id looks like.
    - The values of `created_at`, `updated_at`, `newest_created_at` and `changed_at` match any RFC 3339
      timestamp when the expected value is one (they are the clock's, not the data's).
    - The real address in the output is written back as http://127.0.0.1:8080 before matching.

A failure prints the README line, the block, the command, the expected and the actual answer, and
what differs; the script runs every block, then exits 1 if anything failed.
"""

from __future__ import annotations

import json
import os
import re
import select
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

README_ADDRESS = "http://127.0.0.1:8080"
CARGO_BINARY = "cargo run --release -q --"
SKIP_MARKER = "<!-- readme-check: skip -->"
SERVE_LINE = re.compile(r"^((?:[A-Z_][A-Z0-9_]*=\S+\s+)*)cargo run --release\s*$")
CLOCK_KEYS = {"created_at", "updated_at", "newest_created_at", "changed_at"}
RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)
SHORT_ID = re.compile(r"^[0-9a-f]{8}-…$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
STATUS_LINE = re.compile(r"^HTTP/[0-9.]+ \d{3}( .*)?$")
HEADER_LINE = re.compile(r"^([A-Za-z0-9-]+): (.*)$")
COMMAND_TIMEOUT = 60
READY_TIMEOUT = 60


# --- the README --------------------------------------------------------------------------------


@dataclass
class Block:
    """A fenced block of the README."""

    lang: str
    text: str
    line: int  # the line of the opening fence, 1-based
    section: str
    skip: bool
    answer: Block | None = None  # a ```json block right after this one


def read_blocks(readme: str) -> list[Block]:
    """Every fenced block, with its section, and the json block that answers an sh block."""
    blocks: list[Block] = []
    section = ""
    lines = readme.splitlines()
    i = 0
    previous_text = ""  # the last non-blank line outside a block
    last_was_block = False  # only blank lines since the last block closed
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            lang, start = line[3:].strip(), i
            i += 1
            body = []
            while i < len(lines) and not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            block = Block(lang, "\n".join(body), start + 1, section, previous_text == SKIP_MARKER)
            if lang == "json" and last_was_block and blocks and blocks[-1].lang == "sh":
                blocks[-1].answer = block
            blocks.append(block)
            last_was_block = True
            previous_text = ""
        elif line.strip():
            if line.startswith("## ") or line.startswith("### "):
                section = line.lstrip("#").strip()
            previous_text = line.strip()
            last_was_block = False
        i += 1
    return blocks


def talks_to_service(block: Block) -> bool:
    return block.lang == "sh" and any(
        "curl" in command.text and README_ADDRESS in command.text
        for command in split_commands(block)
    )


@dataclass
class Command:
    """One shell command of a block, and the answer shown in the comments right after it."""

    text: str
    line: int
    trailing_comment: str
    shown: list[str] = field(default_factory=list)


def complete(text: str) -> bool:
    """Whether `text` is a whole command: no continuation line, no open quote."""
    if text.endswith("\\"):
        return False
    try:
        shlex.split(text, comments=True)
    except ValueError:
        return False
    return True


def trailing_comment(text: str) -> str:
    """The `# ...` comment at the end of a command's last line, if any."""
    for match in re.finditer(r"\s#\s?(.*)$", text):
        if complete(text[: match.start()]):
            return match.group(1)
    return ""


def split_commands(block: Block) -> list[Command]:
    commands: list[Command] = []
    pending: list[str] = []
    pending_line = 0
    after_command = False  # comment lines now show the last command's answer
    for offset, line in enumerate(block.text.splitlines(), start=1):
        number = block.line + offset
        stripped = line.strip()
        if pending:
            pending.append(line)
            if complete("\n".join(pending)):
                text = "\n".join(pending)
                commands.append(Command(text, pending_line, trailing_comment(text)))
                pending, after_command = [], True
        elif not stripped:
            after_command = False
        elif stripped.startswith("#"):
            if after_command:
                commands[-1].shown.append(stripped[1:].strip())
        else:
            pending, pending_line = [line], number
            if complete(line):
                commands.append(Command(line, number, trailing_comment(line)))
                pending, after_command = [], True
    if pending:
        never_ends = "\n".join(pending)
        raise SystemExit(f"README.md:{pending_line}: the command never ends:\n{never_ends}")
    return commands


# --- matching ----------------------------------------------------------------------------------


def text_matches(expected: str, actual: str) -> bool:
    """`…` in `expected` stands for any run of characters; the rest is literal."""
    if SHORT_ID.match(expected):
        return bool(UUID.match(actual))
    if "…" not in expected:
        return expected == actual
    pattern = ".+".join(re.escape(part) for part in expected.split("…"))
    return re.fullmatch(pattern, actual, re.DOTALL) is not None


def kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def show(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def differences(expected: object, actual: object, path: str = "$", key: str = "") -> list[str]:
    """Where `actual` does not match `expected`, as `path: what` lines (empty when it matches)."""
    if kind(expected) != kind(actual):
        return [f"{path}: expected {show(expected)}, got {kind(actual)} {show(actual)}"]
    if isinstance(expected, dict):
        assert isinstance(actual, dict)
        found = []
        missing = [k for k in expected if k not in actual]
        extra = [k for k in actual if k not in expected]
        if missing:
            found.append(f"{path}: the answer lacks the keys {missing}")
        if extra:
            found.append(f"{path}: the answer has keys the README does not show: {extra}")
        for k in expected:
            if k in actual:
                found += differences(expected[k], actual[k], f"{path}.{k}", k)
        return found
    if isinstance(expected, list):
        assert isinstance(actual, list)
        if len(expected) != len(actual):
            return [f"{path}: expected {len(expected)} items, got {len(actual)}"]
        found = []
        for index, (e, a) in enumerate(zip(expected, actual)):
            found += differences(e, a, f"{path}[{index}]")
        return found
    if isinstance(expected, str):
        assert isinstance(actual, str)
        if key in CLOCK_KEYS and RFC3339.match(expected):
            ok = RFC3339.match(actual) is not None
        else:
            ok = text_matches(expected, actual)
        return [] if ok else [f"{path}: expected {show(expected)}, got {show(actual)}"]
    return [] if expected == actual else [f"{path}: expected {expected!r}, got {actual!r}"]


def json_values(text: str) -> list[object]:
    """The JSON values in `text`, one after the other (whitespace between them)."""
    decoder = json.JSONDecoder()
    values, index = [], 0
    while True:
        while index < len(text) and text[index].isspace():
            index += 1
        if index == len(text):
            return values
        value, index = decoder.raw_decode(text, index)
        values.append(value)


def sequence_differences(expected: list[object], actual_text: str) -> list[str]:
    try:
        actual = json_values(actual_text)
    except json.JSONDecodeError as error:
        return [f"the output is not JSON: {error}"]
    if len(expected) != len(actual):
        return [f"expected {len(expected)} JSON value(s), got {len(actual)}"]
    found = []
    for index, (e, a) in enumerate(zip(expected, actual)):
        found += differences(e, a, f"${index}" if len(expected) > 1 else "$")
    return found


def shown_differences(shown: list[str], output: str) -> list[str]:
    """How the output differs from the answer shown in comments after its command."""
    if shown[0].startswith(("{", "[")):
        try:
            expected = json_values("\n".join(shown))
        except json.JSONDecodeError as error:
            return [f"the answer shown in the comment is not JSON: {error}"]
        return sequence_differences(expected, output)
    lines = [line.rstrip("\r") for line in output.splitlines()]
    statuses = [line for line in lines if STATUS_LINE.match(line)]
    headers = [m.groups() for m in map(HEADER_LINE.match, lines) if m]
    found = []
    for line in shown:
        header = HEADER_LINE.match(line)
        if STATUS_LINE.match(line):
            if not any(text_matches(line, status) for status in statuses):
                found.append(f"no status line `{line}` (got {statuses})")
        elif header:
            name, value = header.groups()
            values = [v for n, v in headers if n.lower() == name.lower()]
            if not any(text_matches(value, v) for v in values):
                found.append(f"no header `{line}` (got {name.lower()}: {values or 'none'})")
        else:
            found.append(f"cannot check the shown answer `# {line}`: "
                         "not JSON, a status line or a header")
    return found


def unshown_problem(command: Command, output: str) -> list[str]:
    """A problem document answered by a command whose answer is not shown, unless its comment
    names the status."""
    try:
        values = json_values(output)
    except json.JSONDecodeError:
        return []
    for value in values:
        if isinstance(value, dict) and str(value.get("type", "")).startswith("/problems/"):
            status = str(value.get("status"))
            if status not in re.findall(r"\d{3}", command.trailing_comment):
                shown = f"{status} {value.get('type')}"
                return [f"answered a problem ({shown}) that the README does not show"]
    return []


# --- the service and the shell -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Service:
    """newsmeta serving a database of its own on a free port."""

    def __init__(self, binary: str, workdir: Path, repo: Path):
        self.binary, self.workdir, self.repo = binary, workdir, repo
        self.port = free_port()
        self.address = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite://{workdir}/readme.db?mode=rwc",
            "SEEDS_DIR": str(repo / "seeds"),
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "NO_COLOR": "1",
        }
        for name in ("CORS_ALLOWED_ORIGINS", "READS_REQUIRE_KEY", "CACHE_MAX_AGE", "NO_SEED",
                     "REQUEST_TIMEOUT", "RATE_LIMIT_IP_PER_MINUTE", "RATE_LIMIT_KEY_PER_MINUTE",
                     "CLIENT_IP_SOURCE"):
            self.env.pop(name, None)
        self.process: subprocess.Popen[bytes] | None = None
        self.log = workdir / "serve.log"

    def start(self, extra: dict[str, str] | None = None) -> None:
        env = {**self.env, **(extra or {})}
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [self.binary, "serve"], cwd=self.repo, env=env, stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"newsmeta exited with {self.process.returncode}:\n{self.tail()}")
            try:
                with urllib.request.urlopen(f"{self.address}/health/ready", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"newsmeta was not ready after {READY_TIMEOUT} s:\n{self.tail()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-30:])


@dataclass
class Result:
    status: int
    stdout: str
    stderr: str


class Shell:
    """One bash session; each command runs in it with its output captured to files."""

    def __init__(self, env: dict[str, str], cwd: Path, workdir: Path):
        self.out, self.err = workdir / "stdout", workdir / "stderr"
        self.count = 0
        self.process = subprocess.Popen(
            ["bash", "--noprofile", "--norc"], cwd=cwd, env=env, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=open(workdir / "bash.log", "ab"),
        )

    def run(self, command: str) -> Result:
        self.count += 1
        marker = f"__readme_check_done_{self.count}__"
        out, err = shlex.quote(str(self.out)), shlex.quote(str(self.err))
        script = f"{{\n{command}\n}} </dev/null >{out} 2>{err}\nprintf '\\n{marker} %d\\n' $?\n"
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(script.encode())
        self.process.stdin.flush()
        received = b""
        deadline = time.monotonic() + COMMAND_TIMEOUT
        while (found := re.search(rf"{marker} (\d+)\n".encode(), received)) is None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.process.stdout], [], [], left)[0]:
                raise SystemExit(f"timed out after {COMMAND_TIMEOUT} s running:\n{command}")
            chunk = os.read(self.process.stdout.fileno(), 65536)
            if not chunk:
                raise SystemExit(f"bash exited while running:\n{command}")
            received += chunk
        return Result(
            int(found.group(1)),
            self.out.read_text(errors="replace"),
            self.err.read_text(errors="replace"),
        )

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


# --- running the README ------------------------------------------------------------------------


def indent(text: str) -> str:
    return "\n".join("    " + line for line in (text.rstrip("\n") or "(nothing)").splitlines())


class Checker:
    def __init__(self, service: Service, shell: Shell, binary: str):
        self.service, self.shell, self.binary = service, shell, binary
        self.failures = 0
        self.commands = 0
        self.answers = 0

    def fail(self, block: Block, command: Command | None, problems: list[str], expected: str = "",
             result: Result | None = None) -> None:
        self.failures += 1
        where = f"README.md:{command.line if command else block.line} (section \"{block.section}\")"
        print(f"\nFAILED {where}", file=sys.stderr)
        print(f"  the block (README.md:{block.line}):\n{indent(block.text)}", file=sys.stderr)
        if command:
            print(f"  the command:\n{indent(command.text)}", file=sys.stderr)
        if expected:
            print(f"  expected:\n{indent(expected)}", file=sys.stderr)
        if result:
            print(f"  actual (exit status {result.status}):\n{indent(self.local(result.stdout))}",
                  file=sys.stderr)
            if result.stderr.strip():
                print(f"  stderr:\n{indent(result.stderr)}", file=sys.stderr)
        print("  what differs:\n" + indent("\n".join(problems)), file=sys.stderr)

    def local(self, output: str) -> str:
        """The output as the README shows it: with the README's address."""
        return output.replace(self.service.address, README_ADDRESS)

    def runnable(self, command: Command) -> str | None:
        """The command as it runs here, or None when it cannot run."""
        text = command.text.replace(CARGO_BINARY, shlex.quote(self.binary))
        if re.search(r"\bcargo\b", text):
            return None
        return text.replace(README_ADDRESS, self.service.address)

    def run_block(self, block: Block) -> None:
        outputs: list[str] = []
        for command in split_commands(block):
            serve = SERVE_LINE.match(command.text.strip())
            if serve:
                extra = dict(a.split("=", 1) for a in serve.group(1).split())
                print(f"  restarting the service with {extra}")
                self.service.stop()
                self.service.start(extra)
                continue
            text = self.runnable(command)
            if text is None:
                self.fail(block, command, [f"`cargo` cannot run here: use `{CARGO_BINARY}`, "
                                           f"or put `{SKIP_MARKER}` before the block"])
                continue
            self.commands += 1
            result = self.shell.run(text)
            output = self.local(result.stdout)
            outputs.append(output)
            problems = []
            if result.status != 0:
                problems.append(f"exit status {result.status}")
            if command.shown:
                self.answers += 1
                problems += shown_differences(command.shown, output)
            elif not block.answer:
                problems += unshown_problem(command, output)
            if problems:
                self.fail(block, command, problems, "\n".join(command.shown), result)
        if block.answer:
            self.answers += 1
            try:
                expected = json_values(block.answer.text)
            except json.JSONDecodeError as error:
                where = f"README.md:{block.answer.line}"
                self.fail(block, None, [f"{where}: the json block is not JSON: {error}"])
                return
            problems = sequence_differences(expected, "".join(outputs))
            if problems:
                self.fail(block, None, problems, block.answer.text,
                          Result(0, "".join(outputs), ""))


def main() -> int:
    if len(sys.argv) not in (2, 3):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    binary = str(Path(sys.argv[1]).resolve())
    repo = Path(__file__).resolve().parents[2]
    readme_path = Path(sys.argv[2]) if len(sys.argv) == 3 else repo / "README.md"
    blocks = read_blocks(readme_path.read_text())
    sections = {b.section for b in blocks if talks_to_service(b)}
    chosen = [b for b in blocks if b.lang == "sh" and b.section in sections and not b.skip]
    if not chosen:
        print("no README block talks to the service: nothing to check", file=sys.stderr)
        return 1
    for tool in ("bash", "curl") + (("jq",) if any("jq" in b.text for b in chosen) else ()):
        if shutil.which(tool) is None:
            print(f"`{tool}` is not installed; the README's examples need it", file=sys.stderr)
            return 1

    with tempfile.TemporaryDirectory(prefix="readme-check-") as tmp:
        workdir = Path(tmp)
        service = Service(binary, workdir, repo)
        service.start()
        shell_env = {k: v for k, v in service.env.items() if k not in ("PORT", "HOST")}
        shell = Shell(shell_env, repo, workdir)
        checker = Checker(service, shell, binary)
        try:
            current = None
            for block in chosen:
                if block.section != current:
                    current = block.section
                    print(f"section \"{current}\"")
                checker.run_block(block)
        finally:
            shell.close()
            service.stop()
            if checker.failures:
                log = indent(service.tail())
                print(f"\nthe service's log (last lines):\n{log}", file=sys.stderr)
    skipped = sum(1 for b in blocks if b.lang == "sh" and b.section in sections and b.skip)
    summary = (f"{len(chosen)} block(s) in {len(sections)} section(s), "
               f"{checker.commands} command(s), {checker.answers} shown answer(s) checked, "
               f"{skipped} block(s) marked skip")
    if checker.failures:
        print(f"\nREADME check FAILED: {checker.failures} failure(s); {summary}", file=sys.stderr)
        return 1
    print(f"README examples run as written: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
