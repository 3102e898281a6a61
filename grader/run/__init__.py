"""A class run's machinery: worker processes that each grade a block of students (:mod:`.workers`)."""
