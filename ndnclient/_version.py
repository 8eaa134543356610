"""The version: the one place it is written (pyproject.toml reads it from here for the package
metadata). A plain constant, so `ndnclient --version` needs no metadata lookup."""

VERSION = "0.1.0"
