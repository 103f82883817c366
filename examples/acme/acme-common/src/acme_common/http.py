import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry


def session(retries: int = 3) -> requests.Session:
    s = requests.Session()
    s.mount("https://", HTTPAdapter(max_retries=Retry(total=retries, backoff_factor=0.5)))
    return s
