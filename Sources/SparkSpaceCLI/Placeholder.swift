import SparkSpace
