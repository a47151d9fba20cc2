"""Each test's outcome in CPython regression test runs (98-cpython).

usage: cpython_outcomes.py MODULE XML
       cpython_outcomes.py --why XML TEST-ID

XML is what `python3 -m test --junit-xml XML MODULE` wrote.  Prints one
"TEST-ID OUTCOME" line per test, sorted, OUTCOME one of pass, fail, error and
skip; a run that wrote no readable XML (it crashed or hung) is one line,
"MODULE crashed", so that it differs from a run that did not.  With --why,
what the run said of TEST-ID's outcome (the traceback of an error or a
failure, the reason for a skip).
"""
import sys
import xml.etree.ElementTree as ElementTree

# in the order a test case's XML says the worst first
OUTCOMES = (("error", "error"), ("failure", "fail"), ("skipped", "skip"))


def outcome(case):
    for tag, name in OUTCOMES:
        if case.find(tag) is not None:
            return name
    return "pass"


def main(module, path):
    try:
        root = ElementTree.parse(path).getroot()
    except (OSError, ElementTree.ParseError):
        print(module, "crashed")
        return
    lines = {f"{case.get('name')} {outcome(case)}" for case in root.iter("testcase")}
    # a module that failed to import is one case with its error
    print("\n".join(sorted(lines)) if lines else f"{module} crashed")


def why(path, test):
    try:
        root = ElementTree.parse(path).getroot()
    except (OSError, ElementTree.ParseError) as error:
        print(f"{path}: {error}")
        return
    for case in root.iter("testcase"):
        if case.get("name") == test:
            for tag, _ in OUTCOMES:
                said = case.find(tag)
                if said is not None:
                    print(said.get("message") or "", said.text or "", sep="\n")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--why":
        why(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3:
        main(sys.argv[1], sys.argv[2])
    else:
        sys.exit(__doc__)
