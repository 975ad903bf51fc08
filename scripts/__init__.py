"""Entry points called by Quarto hooks, the workflow and people; the work lives in penguin_site."""
