DEBUG = False
CONN_MAX_AGE = 60  # seconds; 0 closes after each request
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
SESSION_COOKIE_AGE = 1209600  # two weeks, in seconds
CACHE_VERSION = 3
PAGE_SIZE = 25  # items per page, 10 to 100
