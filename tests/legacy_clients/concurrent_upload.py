# Origin: the original system's README ("Testing" > "Concurrent Upload Test"), its
# test_concurrent.py. Changed: the X-API-Key header (PROFAI_API_KEY); the server's URL
# (PROFAI_URL, the original's http://localhost:5001 by default); how many uploads and
# threads (UPLOADS, 50 by default as in the original); the replies also written to
# RESULTS_FILE when it is set, so that a test can check them.
import concurrent.futures
import json
import os

import requests

URL = os.environ.get("PROFAI_URL", "http://localhost:5001")
UPLOADS = int(os.environ.get("UPLOADS", "50"))
HEADERS = {"X-API-Key": os.environ["PROFAI_API_KEY"]}

def upload_pdf(i):
    with open(f'test{i}.pdf', 'rb') as f:
        response = requests.post(
            f'{URL}/api/upload-pdfs',
            files={'files': f},
            data={'course_title': f'Course {i}'},
            headers=HEADERS,
        )
    return response.json()

# Upload 50 PDFs simultaneously
with concurrent.futures.ThreadPoolExecutor(max_workers=UPLOADS) as executor:
    futures = [executor.submit(upload_pdf, i) for i in range(UPLOADS)]
    results = [f.result() for f in futures]

print(f"Uploaded {len(results)} PDFs")
if os.environ.get("RESULTS_FILE"):
    with open(os.environ["RESULTS_FILE"], "w") as out:
        json.dump(results, out)
