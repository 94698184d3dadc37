/// Canal protocol: generated messages, Entry framing, Entry mapping and the Canal server.
