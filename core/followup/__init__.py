"""After the event: what became of the recommendations (``tracking``), the public follow-up page and
open data (``public``), the closing summary to participants (``closing``)."""
