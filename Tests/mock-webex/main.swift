import MockWebex
