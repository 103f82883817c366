"""Ruby: Gemfile (static reading of Ruby code), *.gemspec and Gemfile.lock / gems.locked."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.errors import ManifestError
from analyzer.manifests import parse_manifest, parser_for
from analyzer.manifests.gemfile import GemfileParser, GemspecParser
from analyzer.manifests.gemfile_lock import GemfileLockParser
from analyzer.merge import merge_lockfiles
from analyzer.model import Dependency, Ecosystem, ManifestFile, ParsedManifest, Problem, Scope
from analyzer.sources import LocalSource

FIXTURES = Path(__file__).parent / "fixtures" / "ruby"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
OSV = CORPUS / "peers" / "osv-scanner-v1"
Parse = Callable[..., ParsedManifest]
R, T, D = Scope.RUNTIME, Scope.TEST, Scope.DEV


def gem(
    name: str,
    spec: str | None = None,
    version: str | None = None,
    *,
    line: int,
    scope: Scope = R,
    direct: bool = True,
    source: str = "registry",
    file: str = "Gemfile",
) -> Dependency:
    return Dependency(
        Ecosystem.GEM, name, spec, version, scope, direct, "repo", file, line, source=source
    )


def locked(
    name: str, version: str, line: int, *, direct: bool = False, source: str = "registry",
    file: str = "Gemfile.lock",
) -> Dependency:  # fmt: skip
    return gem(name, None, version, line=line, direct=direct, source=source, file=file)


def problem(line: int | None, message: str, file: str = "Gemfile") -> Problem:
    return Problem(file, line, message, "repo")


def parse_fixture(path: str) -> ParsedManifest:
    source = LocalSource(FIXTURES, lambda _: True)
    size = (FIXTURES / path).stat().st_size
    return parse_manifest(ManifestFile("repo", path, size, source.read))


def edges(*pairs: tuple[str, str]) -> set[tuple[str, str]]:
    return {(f"pkg:gem/{a}", f"pkg:gem/{b}") for a, b in pairs}


# --- Gemfile ---------------------------------------------------------------------------------


def test_rails_app_gemfile_every_record() -> None:
    result = parse_fixture("app/Gemfile")
    file = "app/Gemfile"
    g = partial(gem, file=file)
    assert result.dependencies == (
        g("rails", "~> 7.1.3", line=10),
        g("pg", ">= 0.18, < 2.0", line=11),
        g("puma", "6.4.2", "6.4.2", line=12),  # a bare version pins it
        g("redis", "= 5.1.0", "5.1.0", line=13),
        g("sidekiq", "~> 7.2", line=14),  # gem(...) with parentheses
        g("bootsnap", line=15),
        g("tzinfo-data", line=16),  # platforms do not change the scope
        g("nokogiri", ">= 1.16, < 2", line=17),  # continued on line 18
        g("image_processing", line=19, source="vcs"),  # :git => with hash rockets
        g("acme-auth", line=20, source="vcs"),  # the git_source declared on line 5
        # line 21: path "engines/admin" is the organization's own gem (publishes)
        g("legacy_pdf", line=22, source="path"),  # under vendor/: someone else's gem
        g("json", "~> 2.7", line=23),  # %q(json) and "...".freeze are literals
        # line 26 is inside =begin/=end
        g("debug", line=30, scope=T),  # development + test: test
        g("rspec-rails", "~> 6.1", line=31, scope=T),
        g("web-console", line=35, scope=D),
        g("rubocop-rails", line=36, scope=D),
        g("capybara", line=40, scope=T),
        g("selenium-webdriver", line=41, scope=T),  # test block + group: :ci
        g("lograge", line=45),  # production is a runtime group
        g("solid_queue", line=49, source="vcs"),  # inside a github block
        g("brakeman", line=52, scope=D),  # groups: [:development, :lint]
        g("newrelic_rpm", line=54),  # computed version: any version, and a problem
        g("oj", line=55),  # a modifier if opens no block
    )
    assert result.problems == (
        problem(53, "gem call with a computed gem name: not read", file),
        problem(54, "gem 'newrelic_rpm': computed version requirement, read as any version", file),
    )
    assert result.publishes == ("pkg:gem/admin",)
    assert result.lockfile is False


def test_quirks_crlf_bom_tabs_and_ruby_syntax(parse_text: Parse) -> None:
    content = (
        "\ufeffsource 'https://rubygems.org' do\r\n"  # 1: a source block
        '\tgem "a", "~> 1.0" # gem "not-me"\r\n'  # 2
        "end\r\n"  # 3
        'gem "b", "#{not} a comment" ; gem "c"\r\n'  # 4: interpolation; two calls
        "group(:test) do gem 'd' end\r\n"  # 5: one-line block
        'gem "e", "require": false, "group" => "development"\r\n'  # 6: string keys
        "platforms :jruby do\r\n"  # 7
        "  group :test do\r\n"  # 8: nested blocks
        '    if ENV["CI"]\r\n'  # 9: a block without do
        '      gem "f"\r\n'  # 10
        "    else\r\n"  # 11
        '      gem "g", "1.0"\r\n'  # 12
        "    end\r\n"  # 13
        "  end\r\n"  # 14
        "end\r\n"  # 15
        'gem "h",\r\n'  # 16: continued lines with a hash in braces
        '  { path: "../sibling" }\r\n'  # 17: another repository's code
        'path "components" do\r\n'  # 18
        '  gem "i"\r\n'  # 19: the organization's own
        "end\r\n"  # 20
        "desc = <<~TEXT\r\n"  # 21: heredoc body is text
        "  gem 'j'\r\n"  # 22
        "TEXT\r\n"  # 23
        "case ENV['DB']\r\n"  # 24
        "when 'pg' then gem 'pg'\r\n"  # 25
        "end\r\n"  # 26
        'gem "k", "< 3", ">= 2.1.0"\r\n'  # 27
        "__END__\r\n"  # 28
        'gem "l"\r\n'  # 29: data, not code
    )
    result = parse_text("Gemfile", content.encode("utf-8"))
    assert result.dependencies == (
        gem("a", "~> 1.0", line=2),
        gem("b", line=4),
        gem("c", line=4),
        gem("d", line=5, scope=T),
        gem("e", line=6, scope=D),
        gem("f", line=10, scope=T),
        gem("g", "1.0", "1.0", line=12, scope=T),
        gem("pg", line=25),
        gem("k", "< 3, >= 2.1.0", line=27),
    )
    assert result.problems == (
        problem(4, "gem 'b': computed version requirement, read as any version"),
    )
    assert result.publishes == ("pkg:gem/i",)


def test_interpolation_and_variables_are_problems_not_guesses(parse_text: Parse) -> None:
    content = (
        'rails = "7.1"\n'
        'gem "rails-#{rails}"\n'
        "gem rails\n"
        "%w[rspec-core rspec-mocks].each { |name| gem name }\n"
        'gem "bad name!"\n'
        'gem "ok", rails\n'
        "gem\n"
    )
    result = parse_text("Gemfile", content)
    assert result.dependencies == (gem("ok", line=6),)
    assert result.problems == (
        problem(2, "gem call with a computed gem name: not read"),
        problem(3, "gem call with a computed gem name: not read"),
        problem(4, "gem call with a computed gem name: not read"),
        problem(5, "invalid gem name 'bad name!'"),
        problem(6, "gem 'ok': computed version requirement, read as any version"),
        problem(7, "gem call with a computed gem name: not read"),
    )


def test_duplicate_declarations_are_each_recorded(parse_text: Parse) -> None:
    # Bundler picks one branch at run time; a static reading keeps both declarations.
    content = (
        'if ENV["RAILS_EDGE"]\n  gem "rails", github: "rails/rails"\n'
        'else\n  gem "rails", "~> 7.1"\nend\ngem "rails", "~> 7.1"\n'
    )
    result = parse_text("gems.rb", content)
    assert [(d.spec, d.source, d.line) for d in result.dependencies] == [
        (None, "vcs", 2),
        ("~> 7.1", "registry", 4),
        ("~> 7.1", "registry", 6),
    ]


def test_blocks_used_as_values_close_with_their_own_end(parse_text: Parse) -> None:
    content = (
        "group :test do\n"
        '  adapter = if ENV["PG"] then "pg" else "sqlite3" end\n'  # opens and closes a block
        '  gem "rspec"\n'  # so this is still in the test group
        '  gem "pry" if ENV["DEBUG"]\n'  # a modifier opens nothing
        "end\n"
        'gem "rack"\n'
    )
    result = parse_text("Gemfile", content)
    assert result.dependencies == (
        gem("rspec", line=3, scope=T),
        gem("pry", line=4, scope=T),
        gem("rack", line=6),
    )


def test_punctuation_inside_strings_is_text(parse_text: Parse) -> None:
    content = 'gem "a", ","\ngem "b", ";", "do"\ngem "c", "=> {"\ngem "d"\n'
    result = parse_text("Gemfile", content)
    assert result.dependencies == (
        gem("a", ",", line=1),
        gem("b", ";, do", line=2),
        gem("c", "=> {", line=3),
        gem("d", line=4),
    )


def test_gemspec_name_with_freeze_and_safe_navigation(parse_text: Parse) -> None:
    content = (
        "Gem::Specification.new do |s|\n"
        '  s.name = "acme-x".freeze\n'
        '  s&.add_dependency "rack"\n'
        "end\n"
    )
    result = parse_text("acme-x.gemspec", content)
    assert result.publishes == ("pkg:gem/acme-x",)
    assert result.dependencies == (gem("rack", line=3, file="acme-x.gemspec"),)


def test_gemspec_line_names_the_own_gem_only_when_given(parse_text: Parse) -> None:
    assert parse_text("Gemfile", "gemspec\n").publishes == ()
    named = parse_text("Gemfile", 'gemspec name: "acme-core", path: "core"\n')
    assert named.publishes == ("pkg:gem/acme-core",)


def test_unreadable_gemfiles_are_one_problem(parse_text: Parse) -> None:
    assert parse_text("Gemfile", b"\x00\x01gem").problems == (
        problem(None, "binary file, not a text manifest"),
    )
    assert parse_text("Gemfile", b'gem "a"\ngem "caf\xe9"\n').problems == (
        problem(2, "not valid UTF-8 (byte 0xe9)"),
    )


# --- gemspec ---------------------------------------------------------------------------------


def test_gemspec_every_record() -> None:
    result = parse_fixture("gem/acme-widgets.gemspec")
    file = "gem/acme-widgets.gemspec"
    assert result.dependencies == (
        gem("activesupport", ">= 6.1, < 8", line=21, file=file),
        gem("faraday", "~> 2.9", line=22, file=file),
        gem("zeitwerk", "~> 2.6", line=23, file=file),
        gem("acme-core", line=24, file=file),
        gem("rake", "~> 13.0", line=26, scope=D, file=file),
        gem("rspec", "~> 3.13", line=27, scope=D, file=file),
        # the generated-gemspec pattern states it twice (lines 33 and 35): one record
        gem("concurrent-ruby", "~> 1.2", line=33, file=file),
    )
    assert result.problems == (
        problem(24, "gem 'acme-core': computed version requirement, read as any version", file),
    )
    assert result.publishes == ("pkg:gem/acme-widgets",)  # the heredoc's left-pad is prose


# --- Gemfile.lock ----------------------------------------------------------------------------


def test_rails_app_lockfile_every_record_and_edge() -> None:
    result = parse_fixture("app/Gemfile.lock")
    file = "app/Gemfile.lock"
    assert result.problems == ()
    assert result.lockfile is True
    assert result.dependencies == (
        locked("acme-auth", "2.3.0", 6, direct=True, source="vcs", file=file),
        locked("solid_queue", "0.3.0", 13, direct=True, source="vcs", file=file),
        # admin (line 20) is in PATH engines/admin: the organization's own gem
        locked("legacy_pdf", "0.9.2", 26, direct=True, source="path", file=file),  # vendor/
        locked("activejob", "7.1.3.2", 32, file=file),
        locked("activesupport", "7.1.3.2", 35, file=file),
        locked("bootsnap", "1.18.3", 38, direct=True, file=file),
        locked("concurrent-ruby", "1.2.3", 40, file=file),
        locked("debug", "1.9.1", 41, direct=True, file=file),
        locked("globalid", "1.2.1", 42, file=file),
        locked("jwt", "2.8.1", 44, file=file),
        locked("msgpack", "1.7.2", 46, file=file),
        # one record for the three platform builds, version without the platform
        locked("nokogiri", "1.16.2", 47, direct=True, file=file),
        locked("pg", "1.5.6", 53, direct=True, file=file),
        locked("prawn", "2.4.0", 54, file=file),
        locked("puma", "6.4.2", 55, direct=True, file=file),
        locked("racc", "1.7.3", 57, file=file),
        locked("rails", "7.1.3.2", 58, direct=True, file=file),
        locked("rspec-rails", "6.1.2", 62, direct=True, file=file),
        locked("tzinfo", "2.0.6", 64, file=file),
    )
    assert result.publishes == ("pkg:gem/admin",)
    # Dependencies that are not locked (base64, nio4r, bundler) make no edge.
    assert set(result.edges) == edges(
        ("acme-auth", "jwt"), ("solid_queue", "activejob"), ("solid_queue", "concurrent-ruby"),
        ("admin", "rails"), ("legacy_pdf", "prawn"), ("activejob", "activesupport"),
        ("activejob", "globalid"), ("activesupport", "concurrent-ruby"),
        ("activesupport", "tzinfo"), ("bootsnap", "msgpack"), ("globalid", "activesupport"),
        ("nokogiri", "racc"), ("rails", "activejob"), ("rails", "activesupport"),
        ("rspec-rails", "activesupport"), ("tzinfo", "concurrent-ruby"),
    )  # fmt: skip
    assert len(result.edges) == len(set(result.edges))


def test_gem_repository_lockfile_own_gem_dependencies_are_direct() -> None:
    result = parse_fixture("gem/Gemfile.lock")
    file = "gem/Gemfile.lock"
    assert result.problems == ()
    assert result.publishes == ("pkg:gem/acme-widgets",)  # PATH remote: .
    assert result.dependencies == (
        locked("activesupport", "7.1.3.2", 13, direct=True, file=file),
        locked("concurrent-ruby", "1.2.3", 15, direct=True, file=file),
        locked("faraday", "2.9.0", 16, direct=True, file=file),
        locked("faraday-net_http", "3.1.0", 18, file=file),
        locked("net-http", "0.4.1", 20, file=file),
        locked("rake", "13.1.0", 22, direct=True, file=file),
        locked("rspec", "3.13.0", 23, direct=True, file=file),
        locked("rubocop", "1.62.1", 24, direct=True, file=file),
        locked("uri", "0.13.0", 25, file=file),
        locked("zeitwerk", "2.6.13", 26, direct=True, file=file),
    )
    assert ("pkg:gem/acme-widgets", "pkg:gem/faraday") in result.edges


def test_lockfile_quirks(parse_text: Parse) -> None:
    content = (
        "PLUGIN SOURCE\r\n"  # 1
        "  remote: https://gems.internal.example\r\n"
        "  type: s3\r\n"
        "  specs:\r\n"
        "    private-gem (0.2.0)\r\n"  # 5
        "\r\n"
        "PATH\r\n"
        "  remote: ../shared-gems/acme-utils\r\n"  # another repository's code
        "  specs:\r\n"
        "    acme-utils (1.0.0)\r\n"  # 10
        "      oj (~> 3.0)\r\n"
        "\r\n"
        "GEM\r\n"
        "  remote: https://rubygems.org/\r\n"
        "  specs:\r\n"  # 15
        "    oj (3.16.3)\r\n"
        "    ffi (1.16.3-x64-mingw-ucrt)\r\n"
        "    ffi (1.16.3)\r\n"
        "    broken-entry\r\n"
        "    ffi (1.15.5-java)\r\n"  # 20: another version of the same gem
        "\r\n"
        "<<<<<<< HEAD\r\n"
        "STRANGE SECTION\r\n"
        "  whatever\r\n"
        "DEPENDENCIES\r\n"  # 25
        "  acme-utils!\r\n"
        "  oj (~> 3.0)!\r\n"
        "    misplaced\r\n"
    )
    result = parse_text("Gemfile.lock", content.encode("utf-8"))
    assert result.dependencies == (
        locked("private-gem", "0.2.0", 5, source="url"),
        locked("oj", "3.16.3", 16, direct=True),
        locked("ffi", "1.16.3", 17),
        locked("ffi", "1.15.5", 20),
    )
    assert result.problems == (
        problem(19, "invalid spec 'broken-entry': expected 'name (version)'", "Gemfile.lock"),
        problem(
            22, "merge conflict marker: the lockfile was committed half-merged", "Gemfile.lock"
        ),
        problem(23, "unknown section 'STRANGE SECTION'", "Gemfile.lock"),
        problem(28, "invalid dependency line 'misplaced'", "Gemfile.lock"),
    )
    assert result.publishes == ()  # ../shared-gems is outside the repository
    assert result.edges == ()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("just some text\nnot a lockfile\n", "not a Gemfile.lock"),
        ('{"packages": []}', "not a Gemfile.lock"),
        ("\x00\x00GEM", "binary file"),
    ],
)
def test_unreadable_lockfiles_are_one_problem(
    parse_text: Parse, content: str, message: str
) -> None:
    result = parse_text("gems.locked", content.encode("utf-8"))
    assert result.dependencies == ()
    assert len(result.problems) == 1
    assert result.problems[0].message.startswith(message)


def test_empty_lockfile_is_empty(parse_text: Parse) -> None:
    result = parse_text("Gemfile.lock", "\n\n")
    assert result.dependencies == () and result.problems == () and result.lockfile


def test_merge_with_the_gemfile_beside_it() -> None:
    """The lockfile adds versions to the Gemfile's declarations and the transitive gems."""
    merged = merge_lockfiles([parse_fixture("app/Gemfile"), parse_fixture("app/Gemfile.lock")])
    rails = next(d for d in merged[0].dependencies if d.name == "rails")
    assert (rails.spec, rails.version, rails.direct) == ("~> 7.1.3", "7.1.3.2", True)
    transitive = {d.name: d for d in merged[1].dependencies}
    assert "rails" not in transitive
    assert transitive["activejob"].direct is False
    assert transitive["jwt"].scope is R


def test_parsers_match_their_files() -> None:
    assert isinstance(parser_for("Gemfile"), GemfileParser)
    assert isinstance(parser_for("api/gems.rb"), GemfileParser)
    assert isinstance(parser_for("acme.gemspec"), GemspecParser)
    assert isinstance(parser_for("api/Gemfile.lock"), GemfileLockParser)
    assert isinstance(parser_for("gems.locked"), GemfileLockParser)
    for other in ("Gemfile.bak", "gemfiles/rails_7.gemfile", "Rakefile", "gems.rb.lock"):
        assert not any(
            isinstance(parser_for(other), kind)
            for kind in (GemfileParser, GemspecParser, GemfileLockParser)
        )
    assert GemfileParser().matches(PurePosixPath("gemfile"))


# --- real files ------------------------------------------------------------------------------


def _osv_cases() -> list[dict[str, object]]:
    if not OSV.is_dir():
        return []
    cases = json.loads((OSV / "expected_packages.json").read_text(encoding="utf-8"))["cases"]
    return [c for c in cases if c["parser"] == "ParseGemfileLock"]


@pytest.mark.parametrize("case", _osv_cases() or [None], ids=lambda c: c and c["test"])
def test_osv_scanner_cases(parse_text: Parse, case: dict[str, object] | None) -> None:
    """Same names and versions as osv-scanner, including has-local-gem's PATH gem: it sits
    in vendor/gem/, so it is a vendored gem (source path), not the repository's own; a PATH
    gem elsewhere in the repository would be in ``publishes`` instead. Their "commit" of
    git gems is the GIT section's revision, which fundscout does not record."""
    if case is None:
        pytest.skip("osv-scanner corpus not present")
    fixture = OSV / str(case["fixture"])
    if not fixture.exists():
        pytest.skip("the case is about a missing file")
    result = parse_text("Gemfile.lock", fixture.read_bytes())
    assert result.problems == ()
    expected = case["expected_packages"]
    assert isinstance(expected, list)
    assert sorted((d.name, d.version) for d in result.dependencies) == sorted(
        (p["name"], p["version"]) for p in expected
    )


def test_corpus_ruby_files_parse_without_internal_errors() -> None:
    if not CORPUS.is_dir():
        pytest.skip("corpus not present")
    source = LocalSource(CORPUS, lambda _: True)
    paths = [
        p
        for pattern in ("Gemfile", "gems.rb", "*.gemspec", "Gemfile.lock", "gems.locked")
        for p in CORPUS.rglob(pattern)
        if p.is_file()
    ]
    assert paths, "the corpus has Ruby files (spotify/heroic/docs/Gemfile.lock)"
    for path in paths:
        relative = path.relative_to(CORPUS).as_posix()
        result = parse_manifest(ManifestFile("corpus", relative, path.stat().st_size, source.read))
        assert not [p for p in result.problems if "internal error" in p.message], relative
        if path.name == "Gemfile.lock" and "osv-scanner" not in relative:
            assert result.problems == (), relative
            assert result.dependencies


# --- fuzzing ---------------------------------------------------------------------------------

RUBY_PIECES = (
    "gem", "group", "do", "end", "if", "else", "then", "path", "git", "github", "gemspec",
    "source", "git_source", "platforms", '"rails"', "'pg'", '"~> 1.0"', '"#{x}"', "%q(a)",
    "%w[a b]", "%i[", ":test", "test:", "=>", ",", "(", ")", "[", "]", "{", "}", "|", ";",
    "#", "\\", "<<~EOS", "EOS", "=begin", "=end", "__END__", ".freeze", "\n", "\t", "'", '"',
)  # fmt: skip
LOCK_PIECES = (
    "GEM", "GIT", "PATH", "PLUGIN SOURCE", "DEPENDENCIES", "PLATFORMS", "CHECKSUMS",
    "  remote: .", "  remote: ../x", "  specs:", "    a (1.0)", "    b (2.0-java)", "      a",
    "      b (>= 1)", "  a!", "    (", "      ", "<<<<<<<", "\r",
)  # fmt: skip


def check(
    parser: GemfileParser | GemspecParser | GemfileLockParser, name: str, data: bytes
) -> None:
    file = ManifestFile("repo", f"sub/{name}", len(data), lambda _: data)
    try:
        result = parser.parse(file)
    except ManifestError as exc:
        assert exc.line is None or exc.line >= 1
        return
    assert all(d.line is not None and d.line >= 1 and d.name for d in result.dependencies)
    assert all(p.line is None or p.line >= 1 for p in result.problems)


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(max_size=300)
    | st.lists(st.sampled_from(RUBY_PIECES) | st.text(max_size=4), max_size=40).map(" ".join)
)
def test_fuzz_gemfile_and_gemspec(text: str) -> None:
    data = text.encode("utf-8", errors="surrogatepass")
    check(GemfileParser(), "Gemfile", data)
    check(GemspecParser(), "x.gemspec", data)


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(max_size=300)
    | st.lists(st.sampled_from(LOCK_PIECES) | st.text(max_size=6), max_size=30).map("\n".join)
)
def test_fuzz_lockfile(text: str) -> None:
    check(GemfileLockParser(), "Gemfile.lock", text.encode("utf-8", errors="surrogatepass"))
