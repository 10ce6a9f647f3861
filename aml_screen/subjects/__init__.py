"""Subject resolution: party records of every batch resolved to subjects (a person or an
organisation as far as the data shows), each link with its reason. Pure: frames in, frames
out. ``resolve.resolve`` is the entry point; ``records.party_records`` makes its input."""
