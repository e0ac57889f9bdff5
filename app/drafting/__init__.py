"""Drafting help: propose claims, entities, themes and kinds for a new article, for a curator to finish.

sentences -> spans of the original text; entities -> known names and new capitalised phrases;
themes -> vocabulary learnt from existing annotations; kinds -> lexical cues; draft -> the annotation file;
evaluation -> precision and recall against the seed article's hand annotations.
"""
