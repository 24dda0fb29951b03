"""Property-based requests from the API's own OpenAPI schema (Schemathesis + Hypothesis).

Every operation is called by each kind of caller with generated data: valid data (what the
schema allows) and invalid data (what it forbids). Half the cases put the ids of a real,
built course into the path, so handlers past the 404 are reached too. Nothing the API
answers may be a 5xx.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode

# The generator's own credentials would replace the caller's.
AUTH_HEADERS = ("authorization", "x-api-key")
REQUEST_TIMEOUT = 60.0
# Characters databases and file systems refuse (PostgreSQL: NUL in text), which random text
# rarely holds: a share of cases gets one appended to every string they send.
POISONS = ("", "", "", "\x00", "\x1b")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class Caller:
    name: str
    headers: dict[str, str]
    skip: frozenset[str] = frozenset()  # operation labels this caller must not run (logout would end the run)
    examples: int | None = None  # at most this many cases per operation and mode


@dataclass
class Failure:
    caller: str
    operation: str
    status: int
    curl: str
    body: str


@dataclass
class FuzzReport:
    operations: int = 0
    all_operations: list[str] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    seconds_by_operation: Counter[str] = field(default_factory=Counter)  # rounded to milliseconds
    by_mode: Counter[tuple[str, str, str, int]] = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)

    def operations_called(self, caller: str) -> set[str]:
        return {op for (op, who, _, _) in self.by_mode if who == caller}

    def operations_succeeding(self) -> set[str]:
        """Operations that answered 2xx at least once: the cases got past validation and access checks."""
        return {op for (op, _, _, status) in self.by_mode if 200 <= status < 300}

    def summary(self) -> str:
        lines = [
            f"{self.operations} operations, {self.requests} requests in {self.seconds:.0f}s, "
            f"statuses {dict(sorted(self.statuses.items()))}",
            "slowest: " + ", ".join(f"{op} {ms / 1000:.1f}s" for op, ms in self.seconds_by_operation.most_common(8)),
        ]
        lines += [f"{f.status} {f.caller} {f.operation}: {f.curl}\n    {f.body[:300]}" for f in self.failures[:30]]
        return "\n".join(lines)


def fuzz(
    base_url: str,
    callers: list[Caller],
    known_ids: dict[str, str],
    examples: int = 10,
    fewer: dict[str, int] | None = None,
) -> FuzzReport:
    """Each operation, for each caller, `examples` valid and `examples` invalid cases (`fewer`:
    smaller numbers for the operations named, e.g. those that synthesise speech)."""
    config = schemathesis.Config()
    # NUL comes from POISONS; the caller's credentials are the only ones sent.
    config.projects.default.generation.update(allow_x00=False, with_security_parameters=False)
    schema = schemathesis.openapi.from_url(f"{base_url}/schema/openapi.json", config=config, timeout=REQUEST_TIMEOUT)
    operations: list[Any] = []
    for result in schema.get_all_operations():
        operations.append(cast(Any, result).ok())
    report = FuzzReport(operations=len(operations), all_operations=[op.label for op in operations])
    started = time.monotonic()
    http = requests.Session()
    for op in operations:
        for caller in callers:
            if op.label in caller.skip:
                continue
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                began = time.monotonic()
                count = min((fewer or {}).get(op.label, examples), caller.examples or examples)
                _run(op, mode, caller, known_ids, base_url, http, report, count)
                report.seconds_by_operation[op.label] += round((time.monotonic() - began) * 1000)
    report.seconds = time.monotonic() - started
    return report


def _run(
    op: Any,
    mode: GenerationMode,
    caller: Caller,
    known_ids: dict[str, str],
    base_url: str,
    http: requests.Session,
    report: FuzzReport,
    examples: int,
) -> None:
    # Deleting the shared course with its real id would leave the other operations nothing to reach.
    real_ids = op.method.upper() != "DELETE"

    @settings(
        max_examples=examples,
        deadline=None,  # the request timeout bounds each call; timings are not what this checks
        database=None,
        derandomize=True,  # the same cases every run: a failure here is reproducible
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(
        case=op.as_strategy(generation_mode=mode),
        use_real_ids=st.booleans() if real_ids else st.just(False),
        poison=st.sampled_from(POISONS),
    )
    def check(case: Case, use_real_ids: bool, poison: str) -> None:
        if use_real_ids and case.path_parameters:
            for name in case.path_parameters:
                if name in known_ids:
                    case.path_parameters[name] = known_ids[name]
        if mode is GenerationMode.POSITIVE:
            _spoil(case, _CONTROL.sub, "")  # valid data reaches the handlers; poisons add control characters
        if poison:
            _spoil(case, lambda _, text: text + poison)
        if case.headers:
            for name in [h for h in case.headers if h.lower() in AUTH_HEADERS]:
                del case.headers[name]
        response = case.call(base_url=base_url, session=http, headers=caller.headers, timeout=REQUEST_TIMEOUT)
        report.requests += 1
        report.statuses[response.status_code] += 1
        report.by_mode[(op.label, caller.name, mode.value, response.status_code)] += 1
        if response.status_code >= 500:
            report.failures.append(
                Failure(caller.name, op.label, response.status_code, case.as_curl_command(), response.text)
            )

    with contextlib.suppress(Unsatisfiable):  # nothing in the operation can be made invalid
        check()


def _spoil(case: Case, change: Callable[[str, str], str], arg: str = "") -> None:
    """Every string the case sends (path, query, body), changed."""

    def spoil(value: Any) -> Any:
        if isinstance(value, str):
            return change(arg, value)
        if isinstance(value, list):
            return [spoil(v) for v in value]
        if isinstance(value, dict):
            return {k: spoil(v) for k, v in value.items()}
        return value

    if case.path_parameters:
        case.path_parameters = spoil(case.path_parameters)
    if case.query:
        case.query = spoil(case.query)
    if isinstance(case.body, dict | list | str):
        case.body = spoil(case.body)
