"""Faults on demand for the emulator: the failures a Zenodo client meets in real life.

A fault spec is a list of rules separated by ``;`` or newlines::

    RULE     := MATCH "=" KIND [":" PARAM] [":" COUNT] ["@" PROBABILITY]
    MATCH    := "*" | [METHOD " "] PATH_GLOB          (METHOD may be "*"; glob as fnmatch)
    KIND     := "500" | "502" | "503" | "504" | "429"      a status answered instead of the app
              | "400"                                    a refusal: nothing was created
              | "502-html" | "504-html"                  the same as nginx's HTML page
              | "<status>-after-commit"                  the app runs and commits, then that status
              | "latency"      PARAM = seconds            wait before the app runs
              | "slow"         PARAM = bytes per second   read the request body that slowly
              | "retry-after"  PARAM = seconds            503 asking the client to come back then
              | "drop-before"                            close the connection, app not run
              | "drop-after-commit"                      app runs and commits, connection closed
              | "cut"          PARAM = bytes             the answer's body stops after that many
                                                         bytes and the connection is closed
    COUNT    := N   only the first N matching requests get the fault (then the rule is spent)
    PROBABILITY := p in [0, 1]   each matching request gets it with probability p
                                 (seeded by config.fault_seed, reproducible per rule)

Examples::

    POST /api/deposit/depositions/*/actions/publish=drop-after-commit:1
    *=503@0.2
    PUT /api/files/*=slow:65536
    GET /api/deposit/depositions/*=retry-after:60:1
    GET *=latency:0.5
    /api/records=504-html:2;POST *=500@0.1
    GET /api/records/*/files/*=cut:1000000:1

``*`` in a path glob matches across ``/`` (``PUT /api/files/*`` covers ``<bucket>/<key>``).
Every rule whose match fits is considered in order: latency and slow add up, and the first
terminal fault (a status or a drop) that fires decides the answer. Without COUNT or
PROBABILITY a rule fires on every matching request.

Why each kind exists (docs/zenodo-behaviour.md §4, §5): 5xx and 429 are what clients must retry or back
off from; a 502/504 in front of Zenodo comes from nginx as an HTML page, which a JSON-only
client must survive; a 400 is a definite refusal (nothing changed), after which a client
must not look for what it asked for; ``drop-after-commit`` and ``<status>-after-commit`` are
the lost-response case (the server changed state but the client never heard), which is why
a client must never blindly re-POST create/publish/newversion; ``slow`` and ``latency``
exercise timeouts; ``cut`` is a download that breaks off part-way (a client keeps what
arrived and continues it, docs/zenodo-behaviour.md §6.7).
"""

from __future__ import annotations

import fnmatch
import random
import re
import threading
from dataclasses import dataclass, field

STATUS_CODES = (400, 429, 500, 502, 503, 504)
HTML_CAPABLE = (502, 504)  # what nginx answers itself when the app is slow or down

_KIND_RE = re.compile(r"^(?P<status>\d{3})(?P<html>-html)?(?P<after>-after-commit)?$")


class FaultSpecError(ValueError):
    """A fault spec that cannot be parsed; the message names the rule and what is wrong."""


@dataclass
class FaultRule:
    text: str
    method: str  # upper case, "*" for any
    path_glob: str
    kind: str  # "status", "latency", "slow", "drop-before", "drop-after-commit"
    status: int | None = None
    html: bool = False
    after_commit: bool = False
    seconds: float = 0.0
    bytes_per_second: float = 0.0
    retry_after: float | None = None  # seconds the 503 of a "retry-after" rule asks for
    cut_after: int | None = None  # body bytes a "cut" rule lets through before closing
    remaining: int | None = None  # None: unlimited
    probability: float | None = None
    fired: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    @property
    def terminal(self) -> bool:
        return self.kind in ("status", "drop-before", "drop-after-commit", "cut")

    def matches(self, method: str, path: str) -> bool:
        if self.method != "*" and self.method != method.upper():
            return False
        return fnmatch.fnmatchcase(path, self.path_glob)

    def to_dict(self) -> dict:
        return {
            "rule": self.text,
            "method": self.method,
            "path": self.path_glob,
            "kind": self.kind,
            "status": self.status,
            "html": self.html,
            "after_commit": self.after_commit,
            "seconds": self.seconds or None,
            "bytes_per_second": self.bytes_per_second or None,
            "retry_after": self.retry_after,
            "cut_after": self.cut_after,
            "remaining": self.remaining,
            "probability": self.probability,
            "fired": self.fired,
        }


@dataclass(frozen=True)
class FaultDecision:
    """The faults one request gets."""

    latency: float = 0.0
    bytes_per_second: float | None = None  # slow body reading
    terminal: FaultRule | None = None  # status / drop rule that fired, if any


def parse_spec(spec: str | None, *, seed: int | None = None) -> list[FaultRule]:
    """Parse a fault spec (module docstring) into rules; raise FaultSpecError naming the rule."""
    rules: list[FaultRule] = []
    if not spec:
        return rules
    for index, raw in enumerate(re.split(r"[;\n]", spec)):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        rule = _parse_rule(text)
        # One RNG per rule, seeded from the seed and the rule itself, so a rule's draws do not
        # depend on how many requests other rules saw (threads interleave differently each run).
        rule._rng = random.Random(f"{seed}:{index}:{text}") if seed is not None else random.Random()
        rules.append(rule)
    return rules


def _parse_rule(text: str) -> FaultRule:
    if "=" not in text:
        raise FaultSpecError(f"fault rule {text!r}: expected MATCH=KIND, e.g. 'POST *=503:1'")
    match, _, action = text.rpartition("=")
    method, path_glob = _parse_match(text, match.strip())

    probability = None
    if "@" in action:
        action, _, p_text = action.partition("@")
        try:
            probability = float(p_text)
        except ValueError:
            raise FaultSpecError(f"fault rule {text!r}: probability {p_text!r} is not a number") from None
        if not 0.0 <= probability <= 1.0:
            raise FaultSpecError(f"fault rule {text!r}: probability must be between 0 and 1")

    kind_text, *params = [part.strip() for part in action.strip().split(":")]
    rule = FaultRule(text=text, method=method, path_glob=path_glob, kind="", probability=probability)
    if kind_text == "retry-after":
        # A long Retry-After (maintenance, a spent budget): what keeps a client waiting longest.
        if not params:
            raise FaultSpecError(f"fault rule {text!r}: retry-after needs a value (retry-after:<seconds>)")
        rule.retry_after = _number(text, params.pop(0))
        if rule.retry_after < 0:
            raise FaultSpecError(f"fault rule {text!r}: retry-after value must not be negative")
        rule.kind = "status"
        rule.status = 503
    elif kind_text in ("latency", "slow"):
        if not params:
            unit = "seconds" if kind_text == "latency" else "bytes per second"
            raise FaultSpecError(f"fault rule {text!r}: {kind_text} needs a value ({kind_text}:<{unit}>)")
        value = _number(text, params.pop(0))
        if value <= 0:
            raise FaultSpecError(f"fault rule {text!r}: {kind_text} value must be positive")
        rule.kind = kind_text
        if kind_text == "latency":
            rule.seconds = value
        else:
            rule.bytes_per_second = value
    elif kind_text in ("drop-before", "drop-after-commit"):
        rule.kind = kind_text
    elif kind_text == "cut":
        rule.kind = kind_text
        rule.cut_after = _cut_bytes(text, params)
    else:
        status_match = _KIND_RE.match(kind_text)
        if not status_match or int(status_match["status"]) not in STATUS_CODES:
            raise FaultSpecError(
                f"fault rule {text!r}: unknown fault {kind_text!r}; use one of "
                "500, 502, 503, 504, 429 (optionally -html for 502/504, -after-commit), "
                "latency:<s>, slow:<bytes/s>, retry-after:<s>, drop-before, drop-after-commit, cut:<bytes>"
            )
        rule.kind = "status"
        rule.status = int(status_match["status"])
        rule.html = bool(status_match["html"])
        rule.after_commit = bool(status_match["after"])
        if rule.html and rule.status not in HTML_CAPABLE:
            raise FaultSpecError(f"fault rule {text!r}: only 502 and 504 come as nginx HTML pages")

    if len(params) > 1:
        raise FaultSpecError(f"fault rule {text!r}: too many ':' parts")
    if params:
        count = params[0]
        if not count.isdigit() or int(count) < 1:
            raise FaultSpecError(f"fault rule {text!r}: count {count!r} must be a positive integer")
        rule.remaining = int(count)
    return rule


def _parse_match(text: str, match: str) -> tuple[str, str]:
    if not match:
        raise FaultSpecError(f"fault rule {text!r}: nothing to match before '='")
    if match == "*":
        return "*", "*"
    parts = match.split()
    if len(parts) == 1:
        method, path_glob = "*", parts[0]
    elif len(parts) == 2:
        method, path_glob = parts[0].upper(), parts[1]
    else:
        raise FaultSpecError(f"fault rule {text!r}: match must be '[METHOD] PATH_GLOB'")
    if method != "*" and not method.isalpha():
        raise FaultSpecError(f"fault rule {text!r}: {method!r} is not an HTTP method")
    if not path_glob.startswith(("/", "*")):
        raise FaultSpecError(f"fault rule {text!r}: path {path_glob!r} must start with '/' or '*'")
    return method, path_glob


def _cut_bytes(text: str, params: list[str]) -> int:
    """The byte count of `cut:<bytes>`, taken off `params`."""
    if not params or not params[0].isdigit():
        raise FaultSpecError(f"fault rule {text!r}: cut needs a whole number of bytes (cut:<bytes>)")
    return int(params.pop(0))


def _number(text: str, value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise FaultSpecError(f"fault rule {text!r}: {value!r} is not a number") from None


class FaultSet:
    """The active rules, replaceable at runtime (admin endpoint), safe across server threads."""

    def __init__(self, spec: str | None = None, *, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self._seed = seed
        self._spec = ""
        self._rules: list[FaultRule] = []
        self.replace(spec or "")

    def replace(self, spec: str) -> None:
        rules = parse_spec(spec, seed=self._seed)  # parse first: a bad spec changes nothing
        with self._lock:
            self._rules = rules
            self._spec = spec

    def add(self, spec: str) -> None:
        rules = parse_spec(spec, seed=self._seed)
        with self._lock:
            self._rules.extend(rules)
            self._spec = ";".join(part for part in (self._spec, spec) if part)

    def clear(self) -> None:
        self.replace("")

    def describe(self) -> dict:
        with self._lock:
            return {"spec": self._spec, "rules": [rule.to_dict() for rule in self._rules]}

    def decide(self, method: str, path: str) -> FaultDecision:
        latency = 0.0
        rate: float | None = None
        terminal: FaultRule | None = None
        with self._lock:
            for rule in self._rules:
                if terminal is not None and rule.terminal:
                    continue
                if not rule.matches(method, path) or not self._fires(rule):
                    continue
                if rule.kind == "latency":
                    latency += rule.seconds
                elif rule.kind == "slow":
                    rate = rule.bytes_per_second if rate is None else min(rate, rule.bytes_per_second)
                else:
                    terminal = rule
        return FaultDecision(latency=latency, bytes_per_second=rate, terminal=terminal)

    @staticmethod
    def _fires(rule: FaultRule) -> bool:
        if rule.remaining == 0:
            return False
        if rule.probability is not None and rule._rng.random() >= rule.probability:
            return False
        if rule.remaining is not None:
            rule.remaining -= 1
        rule.fired += 1
        return True
