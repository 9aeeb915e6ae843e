public enum MockWebexPlaceholder {}
