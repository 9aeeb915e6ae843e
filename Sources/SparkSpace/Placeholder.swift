public enum SparkSpacePlaceholder {}
