"""One closing line with the jest totals of a JUnit report: `python3 .ci/junit-summary.py <report> <label>`."""
import sys
import xml.etree.ElementTree as ET

report, label = sys.argv[1], sys.argv[2]
suites = ET.parse(report).getroot()
tests, failed = int(suites.get('tests', 0)), int(suites.get('failures', 0)) + int(suites.get('errors', 0))
skipped = sum(int(s.get('skipped', 0)) for s in suites.iter('testsuite'))
print(f"{label}: {tests - failed - skipped} passed, {failed} failed, {skipped} skipped")
