"""Read-side helpers for the portal's pages (diffs, the lineage drawing), kept out of the views."""
