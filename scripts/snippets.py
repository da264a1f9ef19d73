#!/usr/bin/python3
"""The C# in the documentation is code that CI compiles: every ```csharp block in README.md, docs/,
models/ and the package readmes (<project>/README.md) is a copy of a source file, or of a region of
one, named on the line before the block:

    <!-- snippet: tests/Consumer/CustomLoop/Program.cs -->          the whole file
    <!-- snippet: tests/L2LOnnx.Tests/Docs/Snippets.cs#export -->   the lines between
                                                                     `// begin-snippet: export` and
                                                                     `// end-snippet`, dedented

The consumer samples (tests/Consumer/, built from the packages by scripts/consumer.sh) and the test
projects (built by scripts/test.sh) are those sources, so a block that compiles nowhere cannot exist.

    /usr/bin/python3 scripts/snippets.py           check: exit 1 and name every block that differs
    /usr/bin/python3 scripts/snippets.py --write   rewrite the blocks from their sources

Only the standard library: runs on any Debian python3.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
MARKER = re.compile(r"^<!-- snippet: (?P<path>[^#\s]+)(?:#(?P<region>[\w-]+))? -->$")
BEGIN = re.compile(r"^\s*// begin-snippet: (?P<region>[\w-]+)\s*$")
END = re.compile(r"^\s*// end-snippet\s*$")


def documents():
    """Every Markdown file whose C# blocks must compile."""
    found = [ROOT / "README.md"]
    for pattern in ("docs/*.md", "models/*.md", "runtime/*/README.md", "interop/*/README.md", "train/*/README.md"):
        found += sorted(ROOT.glob(pattern))
    return [p for p in found if p.is_file()]


def source(path, region):
    """The text a marker names: a whole file without its region markers, or one region, dedented."""
    file = ROOT / path
    if not file.is_file():
        raise ValueError(f"{path} does not exist")
    lines = file.read_text(encoding="utf-8").splitlines()
    if region is None:
        return [line for line in lines if not BEGIN.match(line) and not END.match(line)]
    inside, taken = False, None
    for line in lines:
        begin = BEGIN.match(line)
        if begin and begin.group("region") == region:
            inside, taken = True, []
        elif inside and END.match(line):
            inside = False
            break
        elif inside and not BEGIN.match(line):
            taken.append(line)
    if taken is None or inside:
        raise ValueError(f"{path} has no complete region '// begin-snippet: {region}' ... '// end-snippet'")
    while taken and not taken[0].strip():
        taken.pop(0)
    while taken and not taken[-1].strip():
        taken.pop()
    indent = min((len(l) - len(l.lstrip()) for l in taken if l.strip()), default=0)
    return [l[indent:] for l in taken]


def process(document, write):
    """Returns (blocks, problems); with write, rewrites the document's blocks from their sources."""
    lines = document.read_text(encoding="utf-8").splitlines()
    out, problems, blocks, i = [], [], 0, 0
    name = document.relative_to(ROOT)
    while i < len(lines):
        line = lines[i]
        out.append(line)
        i += 1
        if line.strip() != "```csharp":
            continue
        start = i
        while i < len(lines) and lines[i].strip() != "```":
            i += 1
        body = lines[start:i]
        blocks += 1
        previous = next((l for l in reversed(out[:-1]) if l.strip()), "")
        marker = MARKER.match(previous.strip())
        if marker is None:
            problems.append(f"{name}:{start}: a csharp block without a '<!-- snippet: path[#region] -->' line before it")
            out += body
        else:
            try:
                expected = source(marker.group("path"), marker.group("region"))
            except ValueError as e:
                problems.append(f"{name}:{start}: {e}")
                expected = body
            if expected != body and not write:
                problems.append(f"{name}:{start}: the block differs from {previous.strip()[14:-4]} "
                                f"(/usr/bin/python3 scripts/snippets.py --write copies it)")
            out += expected if write else body
        if i < len(lines):
            out.append(lines[i])
            i += 1
    if write:
        document.write_text("\n".join(out) + "\n", encoding="utf-8")
    return blocks, problems


def main():
    write = "--write" in sys.argv[1:]
    total, problems, files = 0, [], 0
    for document in documents():
        blocks, found = process(document, write)
        total += blocks
        files += blocks > 0
        problems += found
    for problem in problems:
        print(problem)
    verb = "rewrote" if write else "checked"
    print(f"snippets: {verb} {total} csharp blocks in {files} files; {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
