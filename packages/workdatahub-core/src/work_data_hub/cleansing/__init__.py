"""Reusable, vectorised cleansing rules: names, money, rates, months. Pure functions on Series."""
