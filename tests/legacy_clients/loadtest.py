# Origin: the original system's README ("Testing" > "Load Test (Local)"), its loadtest.py,
# copied as it is documented there. Changed: an X-API-Key header (from PROFAI_API_KEY),
# which this platform requires and the original did not ask for.
import os

from locust import HttpUser, task, between

class ProfAIUser(HttpUser):
    wait_time = between(1, 5)

    def on_start(self):
        self.client.headers["X-API-Key"] = os.environ["PROFAI_API_KEY"]

    @task
    def upload_pdf(self):
        with open('test.pdf', 'rb') as f:
            self.client.post('/api/upload-pdfs', 
                files={'files': f},
                data={'course_title': 'Test'})
    
    @task(3)
    def get_courses(self):
        self.client.get('/api/courses')
