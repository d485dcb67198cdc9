"""Assignment (cxscale.assignment): GrowthBook's published hashing vectors, arms stable under a coverage ramp,
exclusive namespaces and balanced stratification.

The vectors are values copied from growthbook/growthbook packages/sdk-js/test/cases.json (specVersion 0.8.0): the
"hash" cases are [seed, value, hash version, bucket] (version 99: no hash), "getBucketRange" [name, [arms,
coverage, weights], ranges], "chooseVariation" [name, bucket, ranges, index], "inNamespace" [name, unit, [namespace,
start, end], in it], "getEqualWeights" [n, weights], and "run" the experiments whose only attribute is the unit id:
[name, unit, experiment (key, seed, weights, coverage, namespace, hashVersion), arms, variation or None when the unit
is not in the experiment].
"""

from __future__ import annotations

import pytest

from cxscale.assignment import (
    AssignmentPlan,
    Namespace,
    assign,
    bucket,
    bucket_ranges,
    choose_arm,
    equal_weights,
    fnv1a32,
    stratified,
)
from cxscale.errors import SpecError

HASH = [["", "a", 1, 0.22], ["", "b", 1, 0.077], ["b", "a", 1, 0.946], ["ef", "d", 1, 0.652], ["asdf", "8952klfjas09ujk", 1, 0.549], ["", "123", 1, 0.011], ["", "___)((*\":&", 1, 0.563], ["seed", "a", 2, 0.0505], ["seed", "b", 2, 0.2696], ["foo", "ab", 2, 0.2575], ["foo", "def", 2, 0.2019], ["89123klj", "8952klfjas09ujkasdf", 2, 0.124], ["90850943850283058242805", "123", 2, 0.7516], ["()**(%$##$%#$#", "___)((*\":&", 2, 0.0128], ["abc", "def", 99, None]]
BUCKET_RANGES = [["normal 50/50", [2, 1, None], [[0, 0.5], [0.5, 1]]], ["reduced coverage", [2, 0.5, None], [[0, 0.25], [0.5, 0.75]]], ["zero coverage", [2, 0, None], [[0, 0], [0.5, 0.5]]], ["4 variations", [4, 1, None], [[0, 0.25], [0.25, 0.5], [0.5, 0.75], [0.75, 1]]], ["uneven weights", [2, 1, [0.4, 0.6]], [[0, 0.4], [0.4, 1]]], ["uneven weights, 3 variations", [3, 1, [0.2, 0.3, 0.5]], [[0, 0.2], [0.2, 0.5], [0.5, 1]]], ["uneven weights, reduced coverage, 3 variations", [3, 0.2, [0.2, 0.3, 0.5]], [[0, 0.04], [0.2, 0.26], [0.5, 0.6]]], ["negative coverage", [2, -0.2, None], [[0, 0], [0.5, 0.5]]], ["coverage above 1", [2, 1.5, None], [[0, 0.5], [0.5, 1]]], ["weights sum below 1", [2, 1, [0.4, 0.1]], [[0, 0.5], [0.5, 1]]], ["weights sum above 1", [2, 1, [0.7, 0.6]], [[0, 0.5], [0.5, 1]]], ["weights.length not equal to num variations", [4, 1, [0.4, 0.4, 0.2]], [[0, 0.25], [0.25, 0.5], [0.5, 0.75], [0.75, 1]]], ["weights sum almost equals 1", [2, 1, [0.4, 0.5999]], [[0, 0.4], [0.4, 0.9999]]]]
CHOOSE = [["even range, 0.2", 0.2, [[0, 0.5], [0.5, 1]], 0], ["even range, 0.4", 0.4, [[0, 0.5], [0.5, 1]], 0], ["even range, 0.6", 0.6, [[0, 0.5], [0.5, 1]], 1], ["even range, 0.8", 0.8, [[0, 0.5], [0.5, 1]], 1], ["even range, 0", 0, [[0, 0.5], [0.5, 1]], 0], ["even range, 0.5", 0.5, [[0, 0.5], [0.5, 1]], 1], ["reduced range, 0.2", 0.2, [[0, 0.25], [0.5, 0.75]], 0], ["reduced range, 0.4", 0.4, [[0, 0.25], [0.5, 0.75]], -1], ["reduced range, 0.6", 0.6, [[0, 0.25], [0.5, 0.75]], 1], ["reduced range, 0.8", 0.8, [[0, 0.25], [0.5, 0.75]], -1], ["reduced range, 0.25", 0.25, [[0, 0.25], [0.5, 0.75]], -1], ["reduced range, 0.5", 0.5, [[0, 0.25], [0.5, 0.75]], 1], ["zero range", 0.5, [[0, 0.5], [0.5, 0.5], [0.5, 1]], 2]]
IN_NAMESPACE = [["user 1, namespace1, 1", "1", ["namespace1", 0, 0.4], False], ["user 1, namespace1, 2", "1", ["namespace1", 0.4, 1], True], ["user 1, namespace2, 1", "1", ["namespace2", 0, 0.4], False], ["user 1, namespace2, 2", "1", ["namespace2", 0.4, 1], True], ["user 2, namespace1, 1", "2", ["namespace1", 0, 0.4], False], ["user 2, namespace1, 2", "2", ["namespace1", 0.4, 1], True], ["user 2, namespace2, 1", "2", ["namespace2", 0, 0.4], False], ["user 2, namespace2, 2", "2", ["namespace2", 0.4, 1], True], ["user 3, namespace1, 1", "3", ["namespace1", 0, 0.4], False], ["user 3, namespace1, 2", "3", ["namespace1", 0.4, 1], True], ["user 3, namespace2, 1", "3", ["namespace2", 0, 0.4], True], ["user 3, namespace2, 2", "3", ["namespace2", 0.4, 1], False], ["user 4, namespace1, 1", "4", ["namespace1", 0, 0.4], False], ["user 4, namespace1, 2", "4", ["namespace1", 0.4, 1], True], ["user 4, namespace2, 1", "4", ["namespace2", 0, 0.4], True], ["user 4, namespace2, 2", "4", ["namespace2", 0.4, 1], False]]
EQUAL = [[-1, []], [0, []], [1, [1]], [2, [0.5, 0.5]], [3, [0.33333333, 0.33333333, 0.33333333]], [4, [0.25, 0.25, 0.25, 0.25]]]
RUN = [["default weights - 1", "1", {"key": "my-test"}, 2, 1], ["default weights - 2", "2", {"key": "my-test"}, 2, 0], ["default weights - 3", "3", {"key": "my-test"}, 2, 0], ["default weights - 4", "4", {"key": "my-test"}, 2, 1], ["default weights - 5", "5", {"key": "my-test"}, 2, 1], ["default weights - 6", "6", {"key": "my-test"}, 2, 1], ["default weights - 7", "7", {"key": "my-test"}, 2, 0], ["default weights - 8", "8", {"key": "my-test"}, 2, 1], ["default weights - 9", "9", {"key": "my-test"}, 2, 0], ["uneven weights - 1", "1", {"key": "my-test", "weights": [0.1, 0.9]}, 2, 1], ["uneven weights - 2", "2", {"key": "my-test", "weights": [0.1, 0.9]}, 2, 1], ["uneven weights - 3", "3", {"key": "my-test", "weights": [0.1, 0.9]}, 2, 0], ["uneven weights - 4", "4", {"key": "my-test", "weights": [0.1, 0.9]}, 2, 1], ["uneven weights - 5", "5", {"key": "my-test", "weights": [0.1, 0.9]}, 2, 1], ["uneven weights - 6", "6", {"key": "my-test", "weights": [0.1, 0.9]}, 2, 1], ["uneven weights - 7", "7", {"key": "my-test", "weights": [0.1, 0.9]}, 2, 0], ["uneven weights - 8", "8", {"key": "my-test", "weights": [0.1, 0.9]}, 2, 1], ["uneven weights - 9", "9", {"key": "my-test", "weights": [0.1, 0.9]}, 2, 1], ["coverage - 1", "1", {"key": "my-test", "coverage": 0.4}, 2, None], ["coverage - 2", "2", {"key": "my-test", "coverage": 0.4}, 2, 0], ["coverage - 3", "3", {"key": "my-test", "coverage": 0.4}, 2, 0], ["coverage - 4", "4", {"key": "my-test", "coverage": 0.4}, 2, None], ["coverage - 5", "5", {"key": "my-test", "coverage": 0.4}, 2, 1], ["coverage - 6", "6", {"key": "my-test", "coverage": 0.4}, 2, None], ["coverage - 7", "7", {"key": "my-test", "coverage": 0.4}, 2, 0], ["coverage - 8", "8", {"key": "my-test", "coverage": 0.4}, 2, 1], ["coverage - 9", "9", {"key": "my-test", "coverage": 0.4}, 2, None], ["three way test - 1", "1", {"key": "my-test"}, 3, 2], ["three way test - 2", "2", {"key": "my-test"}, 3, 0], ["three way test - 3", "3", {"key": "my-test"}, 3, 0], ["three way test - 4", "4", {"key": "my-test"}, 3, 2], ["three way test - 5", "5", {"key": "my-test"}, 3, 1], ["three way test - 6", "6", {"key": "my-test"}, 3, 2], ["three way test - 7", "7", {"key": "my-test"}, 3, 0], ["three way test - 8", "8", {"key": "my-test"}, 3, 1], ["three way test - 9", "9", {"key": "my-test"}, 3, 0], ["test name - my-test", "1", {"key": "my-test"}, 2, 1], ["test name - my-test-3", "1", {"key": "my-test-3"}, 2, 0], ["Experiment namespace - pass", "1", {"key": "my-test", "namespace": ["namespace", 0.1, 1]}, 2, 1], ["Experiment namespace - fail", "1", {"key": "my-test", "namespace": ["namespace", 0, 0.1]}, 2, None], ["Experiment coverage - Works when 0", "1", {"key": "no-coverage", "coverage": 0}, 2, None], ["Uses seed with default weights/coverage", "1", {"key": "key", "seed": "foo", "hashVersion": 2}, 2, 1], ["Uses seed with weights/coverage", "1", {"key": "key", "seed": "foo", "hashVersion": 2, "weights": [0.5, 0.5], "coverage": 0.99}, 2, 1]]


def test_fnv1a32_matches_the_reference_offsets():
    assert fnv1a32("") == 0x811C9DC5
    assert fnv1a32("a") == 0xE40C292C  # the FNV-1a 32-bit test vector of its authors


@pytest.mark.parametrize(("seed", "value", "version", "expected"), HASH)
def test_bucket_reproduces_growthbook_hash_vectors(seed, value, version, expected):
    if expected is None:
        with pytest.raises(SpecError, match="hash version 99"):
            bucket(seed, value, version)
    else:
        assert bucket(seed, value, version) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(("name", "args", "expected"), BUCKET_RANGES)
def test_bucket_ranges_reproduce_growthbook(name, args, expected):
    got = bucket_ranges(*args)
    assert len(got) == len(expected)
    for (lo, hi), (elo, ehi) in zip(got, expected, strict=True):
        assert lo == pytest.approx(elo, abs=1e-9) and hi == pytest.approx(ehi, abs=1e-9), name


@pytest.mark.parametrize(("name", "b", "ranges", "expected"), CHOOSE)
def test_choose_arm_reproduces_growthbook(name, b, ranges, expected):
    assert choose_arm(b, [tuple(r) for r in ranges]) == expected


@pytest.mark.parametrize(("name", "unit", "ns", "expected"), IN_NAMESPACE)
def test_namespace_membership_reproduces_growthbook(name, unit, ns, expected):
    assert Namespace(*ns).contains(unit) is expected


@pytest.mark.parametrize(("n", "expected"), EQUAL)
def test_equal_weights_reproduce_growthbook(n, expected):
    assert equal_weights(n) == pytest.approx(expected, abs=1e-8)


@pytest.mark.parametrize(("name", "unit", "experiment", "arms", "expected"), RUN)
def test_assign_gives_growthbooks_variation(name, unit, experiment, arms, expected):
    weights = experiment.get("weights") or equal_weights(arms)
    ns = experiment.get("namespace")
    got = assign(unit, seed=experiment.get("seed", experiment["key"]), weights={str(i): w for i, w in enumerate(weights)},
                 coverage=experiment.get("coverage", 1.0), namespace=Namespace(*ns) if ns else None,
                 hash_version=experiment.get("hashVersion", 1))
    assert got == (None if expected is None else str(expected)), name


UNITS = [f"A{i:04d}" for i in range(5000)]
ARMS = {"control": 0.5, "treatment": 0.5}


def test_units_keep_their_arm_when_coverage_ramps_up():
    before = {u: assign(u, seed="guidance", weights=ARMS, coverage=0.1) for u in UNITS}
    after = {u: assign(u, seed="guidance", weights=ARMS, coverage=0.6) for u in UNITS}
    full = {u: assign(u, seed="guidance", weights=ARMS) for u in UNITS}
    assert all(full[u] is not None for u in UNITS)
    entered = [u for u in UNITS if before[u] is not None]
    assert 350 < len(entered) < 650  # about 10% (binomial sd ~21)
    assert all(after[u] == before[u] for u in entered)
    assert all(full[u] == after[u] for u in UNITS if after[u] is not None)
    assert 2700 < sum(a is not None for a in after.values()) < 3300


def test_disjoint_namespace_slices_never_share_a_unit():
    a, b = Namespace("agent_assist", 0.0, 0.5), Namespace("agent_assist", 0.5, 1.0)
    in_a = {u for u in UNITS if assign(u, seed="guidance", weights=ARMS, namespace=a) is not None}
    in_b = {u for u in UNITS if assign(u, seed="summaries", weights=ARMS, namespace=b) is not None}
    assert not in_a & in_b
    assert len(in_a | in_b) == len(UNITS)  # the two slices cover the namespace
    assert not a.overlaps(b) and a.overlaps(Namespace("agent_assist", 0.4, 0.6))
    assert not a.overlaps(Namespace("other", 0.0, 0.5))


def test_uneven_weights_split_as_asked():
    arms = [assign(u, seed="outreach", weights={"holdout": 0.1, "treatment": 0.9}) for u in UNITS]
    assert 400 < arms.count("holdout") < 600  # 10% of 5,000 (sd ~21)


def test_stratified_assignment_balances_every_stratum():
    sites = {f"A{i:04d}": f"site{i % 9}" for i in range(461)}
    arms = stratified(sites, seed="guidance", weights=ARMS)
    assert arms == stratified(dict(reversed(list(sites.items()))), seed="guidance", weights=ARMS)  # order-free
    for s in {v for v in sites.values()}:
        members = [u for u, site in sites.items() if site == s]
        treated = sum(arms[u] == "treatment" for u in members)
        assert abs(treated - len(members) / 2) <= 0.5
    three = stratified(sites, seed="g", weights={"a": 0.2, "b": 0.3, "c": 0.5})
    for s in {v for v in sites.values()}:
        members = [u for u, site in sites.items() if site == s]
        for arm, share in (("a", 0.2), ("b", 0.3), ("c", 0.5)):
            assert abs(sum(three[u] == arm for u in members) - share * len(members)) <= 1


def test_stratified_arms_differ_with_the_seed():
    sites = {f"A{i:04d}": "one" for i in range(100)}
    assert stratified(sites, seed="x", weights=ARMS) != stratified(sites, seed="y", weights=ARMS)


@pytest.mark.parametrize(("weights", "coverage", "message"), [
    ({"control": 1.0}, 1.0, "at least two arms"),
    ({"control": 0.5, "treatment": 0.0}, 1.0, "positive"),
    ({"control": 0.5, "treatment": float("nan")}, 1.0, "positive"),
    ({"control": 0.5, "treatment": 0.5}, 1.5, "coverage"),
])
def test_bad_weights_or_coverage_are_refused(weights, coverage, message):
    with pytest.raises(SpecError, match=message):
        assign("A1", seed="s", weights=weights, coverage=coverage)


def test_a_plan_is_assign_with_its_settings():
    plan = AssignmentPlan(seed="guidance", coverage=0.5, namespace=Namespace("agents", 0.0, 0.7))
    for u in UNITS[:200]:
        assert plan.arm(u) == assign(u, seed="guidance", weights=ARMS, coverage=0.5,
                                     namespace=Namespace("agents", 0.0, 0.7))
