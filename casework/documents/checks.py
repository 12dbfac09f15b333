"""System checks for PDF rendering (CJK font, HarfBuzz subsetting)."""
