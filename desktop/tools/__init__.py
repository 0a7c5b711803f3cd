"""Tools that drive the desk offscreen: ``rft desk --screenshots`` and ``rft --self-test``."""
