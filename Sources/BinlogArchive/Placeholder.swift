// Placeholder until the archive module lands (issue 6).
