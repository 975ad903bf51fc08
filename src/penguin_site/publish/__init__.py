"""Publishing a rendered site: S3 sync (``s3``), the headers it sets (``content_types``)
and the check of the live site (``smoke``). Loads no pandas, NumPy or scikit-learn.
"""
