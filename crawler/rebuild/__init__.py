"""Records again from WARC files: :mod:`local` on a process pool, :mod:`distributed` on Dask."""
