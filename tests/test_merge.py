from analyzer.merge import defer_catalogs, merge_lockfiles
from analyzer.model import Ecosystem, Scope
from tests.helpers import dep, parsed, purl


def lock(deps, edges=(), path="poetry.lock", repo="repo"):
    return parsed(path, deps, repo=repo, lockfile=True, edges=edges)


def test_lockfile_supplies_versions_and_transitive_packages() -> None:
    manifest = parsed(
        "pyproject.toml",
        [
            dep("requests", spec=">=2", line=5),
            dep("pytest", spec="^8", line=9, scope=Scope.DEV),
        ],
    )
    locked = lock(
        [
            dep("requests", version="2.32.3", direct=False, file="poetry.lock", line=10),
            dep("urllib3", version="2.2.1", direct=False, file="poetry.lock", line=20),
            dep("pytest", version="8.3.0", direct=False, file="poetry.lock", line=30),
            dep("pluggy", version="1.5.0", direct=False, file="poetry.lock", line=40),
            dep("orphan", version="1.0", direct=False, scope=Scope.DEV, line=50),
        ],
        edges=((purl("requests"), purl("urllib3")), (purl("pytest"), purl("pluggy"))),
    )
    manifest_out, lock_out = merge_lockfiles([manifest, locked])

    assert [(d.name, d.version, d.direct, d.scope) for d in manifest_out.dependencies] == [
        ("requests", "2.32.3", True, Scope.RUNTIME),
        ("pytest", "8.3.0", True, Scope.DEV),
    ]
    assert [(d.name, d.direct, d.scope) for d in lock_out.dependencies] == [
        ("urllib3", False, Scope.RUNTIME),
        ("pluggy", False, Scope.DEV),
        ("orphan", False, Scope.DEV),  # unreachable: keeps the lockfile's own scope
    ]


def test_runtime_reach_wins_over_dev_reach() -> None:
    manifest = parsed("pyproject.toml", [dep("a"), dep("devtool", scope=Scope.DEV)])
    locked = lock(
        [dep("shared", direct=False, scope=Scope.DEV, version="1")],
        edges=((purl("devtool"), purl("shared")), (purl("a"), purl("shared"))),
    )
    _, lock_out = merge_lockfiles([manifest, locked])
    assert lock_out.dependencies[0].scope is Scope.RUNTIME


def test_lockfile_in_another_directory_or_repo_is_not_merged() -> None:
    manifest = parsed("svc/pyproject.toml", [dep("requests", file="svc/pyproject.toml")])
    elsewhere = lock([dep("requests", version="1.0", direct=False)], path="other/poetry.lock")
    other_repo = lock([dep("requests", version="1.0", direct=False)], path="svc/poetry.lock",
                      repo="other")  # fmt: skip
    results = merge_lockfiles([manifest, elsewhere, other_repo])
    assert results == [manifest, elsewhere, other_repo]


def test_requirements_files_are_not_partners() -> None:
    exported = parsed("requirements.txt", [dep("requests", file="requirements.txt")])
    locked = lock([dep("requests", version="2.0", direct=False)])
    assert merge_lockfiles([exported, locked]) == [exported, locked]


def test_pinned_manifest_version_is_kept() -> None:
    manifest = parsed("pyproject.toml", [dep("requests", version="2.0.0", spec="==2.0.0")])
    locked = lock([dep("requests", version="2.31.0", direct=False)])
    manifest_out, lock_out = merge_lockfiles([manifest, locked])
    assert manifest_out.dependencies[0].version == "2.0.0"
    assert lock_out.dependencies == ()


def test_workspace_members_below_the_lockfile_supply_scopes() -> None:
    member = parsed(
        "crates/app/Cargo.toml",
        [
            dep("serde", file="crates/app/Cargo.toml"),
            dep("insta", file="crates/app/Cargo.toml", scope=Scope.DEV),
        ],
        publishes=(purl("app"),),
    )
    stranger = parsed("tools/Cargo.toml", [dep("insta", file="tools/Cargo.toml")])
    locked = parsed(
        "Cargo.lock",
        [
            dep("serde", version="1.0.200", file="Cargo.lock"),
            dep("insta", version="1.39.0", file="Cargo.lock"),
            dep("similar", version="2.5.0", direct=False, file="Cargo.lock"),
        ],
        lockfile=True,
        edges=((purl("insta"), purl("similar")),),
        publishes=(purl("app"),),
    )
    member_out, stranger_out, lock_out = merge_lockfiles([member, stranger, locked])
    assert [(d.name, d.version, d.scope) for d in member_out.dependencies] == [
        ("serde", "1.0.200", Scope.RUNTIME),
        ("insta", "1.39.0", Scope.DEV),
    ]
    assert stranger_out == stranger  # not a member: publishes nothing the lockfile owns
    assert [(d.name, d.direct, d.scope) for d in lock_out.dependencies] == [
        ("similar", False, Scope.DEV)
    ]


def test_lockfile_direct_marking_survives_for_undeclared_packages() -> None:
    manifest = parsed("package.json", [dep("react", file="package.json")])
    locked = lock(
        [
            dep("react", version="18.3.1", direct=True, file="yarn.lock"),
            dep("lodash", version="4.17.21", direct=True, file="yarn.lock"),  # a member's
            dep("loose-envify", version="1.4.0", direct=False, file="yarn.lock"),
        ],
        path="yarn.lock",
    )
    _, lock_out = merge_lockfiles([manifest, locked])
    assert [(d.name, d.direct) for d in lock_out.dependencies] == [
        ("lodash", True),
        ("loose-envify", False),
    ]


def test_a_gemspec_is_completed_by_the_lockfile_beside_it() -> None:
    spec = parsed("acme.gemspec", [dep("rack", file="acme.gemspec")])
    locked = lock([dep("rack", version="3.1.8", file="Gemfile.lock")], path="Gemfile.lock")
    spec_out, _ = merge_lockfiles([spec, locked])
    assert spec_out.dependencies[0].version == "3.1.8"


def test_build_scripts_decide_over_the_gradle_catalog() -> None:
    junit = {"namespace": "junit", "ecosystem": Ecosystem.MAVEN}
    catalog = parsed(
        "gradle/libs.versions.toml",
        [dep("junit", file="gradle/libs.versions.toml", **junit),
         dep("unused", file="gradle/libs.versions.toml", **junit)],
    )  # fmt: skip
    script = parsed(
        "app/build.gradle.kts",
        [dep("junit", file="app/build.gradle.kts", scope=Scope.TEST, **junit)],
    )
    other_repo = parsed(
        "gradle/libs.versions.toml",
        [dep("junit", file="gradle/libs.versions.toml", **junit)],
        repo="other",
    )
    catalog_out, script_out, other_out = defer_catalogs([catalog, script, other_repo])
    assert [d.name for d in catalog_out.dependencies] == ["unused"]
    assert script_out == script
    assert other_out == other_repo
