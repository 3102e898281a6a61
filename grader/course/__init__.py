"""The course around a grading run: the course file (:mod:`.config`), rosters (:mod:`.roster`),
shards and their merge (:mod:`.shard`), the student handout (:mod:`.handout`) and the
Gradescope bundle (:mod:`.gradescope`)."""
