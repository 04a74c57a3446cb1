"""The provider contract suite that every provider runs, ours and third-party ones,
and an in-memory provider for testing the sync engine without any server.

Subclass `ProviderContract` in a pytest module and provide a `provider` fixture
that returns a provider writing to a fresh, empty target:

    class TestMyProvider(ProviderContract):
        @pytest.fixture
        def provider(self, tmp_path):
            return MyProvider("t", {...}, make_context(tmp_path))

Set `emails_only = True` for a provider that holds only email drafts (a Drafts
folder: it is never given the move-on marker), `supports_conflicts = False` for
one that cannot detect stale writes.

Optional hooks (override to enable the matching tests):
- `add_foreign(provider)`: put an item the tool did not create into the target.
- `edit_remotely(provider, remote)`: change an item behind our back (user edit).
- `complete_remotely(provider, remote, day)`: mark a task/VTODO done as the user would.
- `stored_text(provider, uid)`: (summary, description) as the target stores them,
  read without the provider's code, so the round trip of user text is checked.

Publish targets (S3, WebDAV, yours) run `PublisherContract` the same way (see
publisher_contract.py).
"""

from .contract import ProviderContract
from .factories import DictState, make_context, make_push_item, redate
from .memory import MemoryProvider, StoredItem
from .publisher_contract import PublisherContract

__all__ = [
    "DictState",
    "MemoryProvider",
    "ProviderContract",
    "PublisherContract",
    "StoredItem",
    "make_context",
    "make_push_item",
    "redate",
]
