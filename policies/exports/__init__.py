"""Documents a compliance team files, drafted from a check: an AI bill of materials and the EU training-content summary.

Plain keyword-only functions: a workflow, its decision and the knowledge base in, a document out.
"""
