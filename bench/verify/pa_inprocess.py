"""Times pypi-attestations' own Attestation.verify in one warm Python process.

    bench/.tools/pa/bin/python bench/verify/pa_inprocess.py RUNS CASES.json

CASES.json: [{"name", "attestation", "filename", "sha256", "publisher": {"kind": "github", ...} |
"identity": SAN, "staging": bool}]. Prints one JSON object: {name: [milliseconds, ...]}.
Verification is offline (no TUF refresh), as pyward's is: sigstore-python then uses the trusted
root it ships.
"""
import json
import sys
import time

from pypi_attestations import Attestation, Distribution, GitHubPublisher, GitLabPublisher
from sigstore.verify import policy

runs = int(sys.argv[1])
cases = json.load(open(sys.argv[2]))
out = {}
for case in cases:
    attestation = Attestation.model_validate_json(open(case["attestation"], "rb").read())
    dist = Distribution(name=case["filename"], digest=case["sha256"])
    pub = case.get("publisher")
    if pub and pub["kind"] == "github":
        identity = GitHubPublisher(repository=pub["repository"], workflow=pub["workflow"])
    elif pub and pub["kind"] == "gitlab":
        identity = GitLabPublisher(repository=pub["repository"], workflow_filepath=pub["workflow"])
    else:
        identity = policy.Identity(identity=case["identity"], issuer=case.get("issuer"))
    # Warm-up, not counted (imports, the trusted root's first load), as on the pyward side.
    for _ in range(20):
        attestation.verify(identity, dist, staging=case["staging"], offline=True)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        attestation.verify(identity, dist, staging=case["staging"], offline=True)
        times.append((time.perf_counter() - t0) * 1000)
    out[case["name"]] = times
print(json.dumps(out))
