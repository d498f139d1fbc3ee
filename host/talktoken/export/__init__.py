"""Research exports of archived sessions in the field's own formats (RTTM, UEM, ELAN, TextGrid,
talkr CSV), one file per session or every format in a zip bundle with its codebook."""
