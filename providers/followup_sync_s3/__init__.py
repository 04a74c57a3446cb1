"""S3-compatible publish target (AWS S3, Cloudflare R2, Backblaze B2, MinIO).

Only `register` lives here: boto3 (the optional extra `followup-sync[s3]`) is
imported when a feed is actually uploaded.
"""


def register(add):
    add("s3", "followup_sync_s3.publisher:S3Publisher")
