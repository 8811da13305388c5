//! The HTTP API, the sequencer and the web pages (issue 2 step b).
