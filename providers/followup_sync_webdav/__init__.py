"""WebDAV publish target: the feed as one file on Nextcloud, ownCloud or any WebDAV host."""


def register(add):
    add("webdav", "followup_sync_webdav.publisher:WebDAVPublisher")
